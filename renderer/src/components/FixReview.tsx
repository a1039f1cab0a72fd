import { useAppStore } from './store-context.tsx';
import { describeStep } from '../../../shared/plan.ts';
import { messages } from '../messages.ts';
import { Modal } from './Modal.tsx';

/** The plans, rendered from their own steps (so what is shown is what runs), before anything changes on a server or in the directory. */
export function FixReview() {
  const s = useAppStore((x) => x);
  const plans = (s.preflight.result?.plans ?? []).filter((p) => s.chosenFixes.includes(p.id));
  if (!s.reviewingFixes) return null;
  return (
    <Modal labelledBy="fix-title" testId="fix-review" wide onEscape={() => s.reviewFixes(false)}>
        <h3 id="fix-title">{messages.preflight.reviewTitle}</h3>
        <p>{messages.preflight.reviewExplain}</p>
        {plans.map((p) => (
          <div key={p.id} className="plan" data-plan={p.ruleId} data-plan-id={p.id}>
            <b>{p.title}</b> <span className="muted">({p.kind === 'safe' ? messages.preflight.safe : messages.preflight.confirm})</span>
            <ol>{p.steps.map((st, i) => {
              const v = describeStep(st);
              return <li key={i}>{st.description}<br /><code data-step-kind={st.kind}>{v.where}: {v.action}</code><div className="muted small">{messages.preflight.undo}: {v.undo}</div></li>;
            })}</ol>
          </div>
        ))}
        <div className="actions">
          <button type="button" onClick={() => s.reviewFixes(false)}>{messages.cancel}</button>
          <button type="button" className="primary" data-autofocus onClick={() => void s.applyChosenFixes()}>{messages.preflight.apply(plans.length)}</button>
        </div>
    </Modal>
  );
}
