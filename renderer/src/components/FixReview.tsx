import { useAppStore } from './store-context.tsx';
import { fixKey } from '../store/preflight-slice.ts';
import { messages } from '../messages.ts';

/** The plan, exactly as it will run, before anything changes on a server or in the directory. */
export function FixReview() {
  const s = useAppStore((x) => x);
  const plans = (s.preflight.result?.plans ?? []).filter((p) => s.chosenFixes.includes(fixKey(p)));
  if (!s.reviewingFixes) return null;
  return (
    <div className="dialog-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="fix-title" className="dialog wide" data-testid="fix-review">
        <h3 id="fix-title">{messages.preflight.reviewTitle}</h3>
        <p>{messages.preflight.reviewExplain}</p>
        {plans.map((p) => (
          <div key={fixKey(p)} className="plan" data-plan={p.ruleId}>
            <b>{p.summary}</b> <span className="muted">({p.kind === 'safe' ? messages.preflight.safe : messages.preflight.confirm})</span>
            <ol>{p.steps.map((st, i) => <li key={i}>{st.description}<br /><code>{st.host}$ {st.command}</code>{st.undo ? <div className="muted small">{messages.preflight.undo}: <code>{st.undo}</code></div> : null}</li>)}</ol>
          </div>
        ))}
        <div className="actions">
          <button type="button" onClick={() => s.reviewFixes(false)}>{messages.cancel}</button>
          <button type="button" className="primary" onClick={() => void s.applyChosenFixes()}>{messages.preflight.apply(plans.length)}</button>
        </div>
      </div>
    </div>
  );
}
