import { useAppStore } from './store-context.tsx';
import { describeStep } from '../../../shared/plan.ts';
import { Dashboard } from './Dashboard.tsx';
import { JobChanges } from './JobChanges.tsx';
import { messages } from '../messages.ts';

/**
 * Step 4: the provisioning plan is shown before anything runs; "Protect" applies exactly
 * that plan (by id) and shows each step as it runs; then the dashboard. A saved job opens
 * straight on its dashboard.
 */
export function ProtectStep() {
  const s = useAppStore((x) => x);
  const p = s.protect;
  const m = messages.protect;
  const applied = p.results?.every((r) => r.outcome === 'applied') ?? false;
  if (s.activeJobId && (applied || !p.plan) && !p.busy) return <Dashboard />;
  return (
    <div className="protect-step">
      {!p.plan ? <p>{m.intro}</p> : null}
      {p.error ? <p className="error" role="alert" data-testid="protect-error">{p.error}</p> : null}
      {p.plan && p.changes ? <JobChanges changes={p.changes} /> : null}
      {p.plan ? (
        <div className="plan" data-testid="provision-plan" data-plan-id={p.plan.id}>
          <h3>{p.plan.title}</h3>
          {p.plan.steps.length === 0 ? <p>{m.nothingToDo}</p> : <p>{m.planExplain(p.plan.steps.length)}</p>}
          <ol>
            {p.plan.steps.map((st, i) => {
              const v = describeStep(st);
              const state = p.steps[i] ?? 'pending';
              return (
                <li key={i} className={`plan-step ${state}`} data-step={i} data-state={state}>
                  <span className="step-state" aria-label={m.stepState[state]}>{m.stepIcon[state]}</span> {st.description}
                  <br /><code>{v.where}: {v.action}</code>
                  <div className="muted small">{messages.preflight.undo}: {v.undo}</div>
                </li>
              );
            })}
          </ol>
        </div>
      ) : null}
      {p.results && !applied ? (
        <div className="error" role="alert" data-testid="protect-failed">
          {p.results.filter((r) => r.outcome !== 'applied').map((r) => <p key={r.planId}>{r.error}</p>)}
        </div>
      ) : null}
      <div className="actions">
        {p.busy ? (
          <>
            <span className="progress" data-testid="protect-progress" aria-live="polite">{p.stage}</span>
            <button type="button" onClick={() => void s.cancelProtection()}>{messages.cancel}</button>
          </>
        ) : (
          <>
            <button type="button" onClick={() => void s.planProtection()} data-testid="review-plan">{p.plan ? m.reviewAgain : m.review}</button>
            {p.plan ? <button type="button" className="primary" data-testid="protect-now" onClick={() => void s.applyProtection()}>{m.protectNow}</button> : null}
          </>
        )}
      </div>
    </div>
  );
}
