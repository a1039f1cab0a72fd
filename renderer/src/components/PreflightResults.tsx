import { OUTCOME_ORDER, type Category, type Finding, type Outcome, type RuleInfo } from '../../../shared/preflight.ts';
import { useAppStore } from './store-context.tsx';
import { messages } from '../messages.ts';

const GROUPS: readonly Outcome[] = OUTCOME_ORDER;

/** Findings grouped by outcome, then category; evidence on demand; fixes to choose. */
export function PreflightResults() {
  const s = useAppStore((x) => x);
  const r = s.preflight.result;
  if (!r) return null;
  const rules = new Map<string, RuleInfo>(r.report.rules.map((x) => [x.id, x]));
  const planFor = (f: Finding) => r.plans.find((p) => p.ruleId === f.ruleId && (!p.host || p.host === f.host));
  const sum = r.report.summary;
  return (
    <div className="preflight-results">
      <p className="summary" data-testid="preflight-summary">
        {messages.preflight.summary(sum.failure, sum.error, sum.warning, sum.pass, sum['not-applicable'])}
      </p>
      {r.unknownHostKeys.length ? (
        <div className="notice" data-testid="unknown-host-keys">
          <p>{messages.preflight.unknownKeys}</p>
          <ul>{r.unknownHostKeys.map((k) => <li key={k.address}><b>{k.host}</b> ({k.address}): <code>{k.fingerprint}</code></li>)}</ul>
          <button type="button" className="primary" onClick={() => void s.trustHostKeys()}>{messages.preflight.trustKeys}</button>
        </div>
      ) : null}
      {r.recovered.length ? (
        <div className="notice" data-testid="recovered-runs">
          <p>{messages.preflight.recovered}</p>
          <ul>{r.recovered.map((x) => <li key={x.run.runId} data-run={x.run.runId}>{messages.preflight.recoveredRun(x.run.startedAt, x.run.plans.map((p) => p.title))}: {x.results ? x.results.map((y) => `${y.title}: ${messages.preflight.planOutcome[y.outcome]}`).join('; ') : x.waiting}</li>)}</ul>
        </div>
      ) : null}
      {r.report.fixes.length ? (
        <div className="fix-results" data-testid="fix-results">
          <h3>{messages.preflight.fixResults}</h3>
          <ul>{r.report.fixes.map((x) => <li key={x.planId} data-fix={x.plan.ruleId} data-outcome={x.outcome} data-recheck={x.recheck ?? 'none'}>{x.title}: {x.outcome === 'applied' ? messages.preflight.recheck(x.recheck) : x.error}</li>)}</ul>
        </div>
      ) : null}
      {GROUPS.map((outcome) => {
        const items = r.report.findings.filter((f) => f.outcome === outcome);
        if (!items.length) return null;
        const categories = [...new Set(items.map((f) => rules.get(f.ruleId)?.category ?? 'other'))] as Category[];
        return (
          <section key={outcome} className={`group ${outcome}`} data-group={outcome}>
            <h3>{messages.preflight.outcome[outcome]} ({items.length})</h3>
            {categories.map((c) => (
              <div key={c} className="category">
                <h4>{messages.preflight.category[c] ?? c}</h4>
                {items.filter((f) => (rules.get(f.ruleId)?.category ?? 'other') === c).map((f) => {
                  const plan = planFor(f);
                  const key = plan?.id ?? '';
                  return (
                    <details key={`${f.ruleId}-${f.host ?? ''}`} className="finding" data-rule={f.ruleId} data-host={f.host ?? ''} data-outcome={f.outcome}>
                      <summary>
                        {plan && (f.outcome === 'failure' || f.outcome === 'warning') ? (
                          <input type="checkbox" aria-label={`${messages.preflight.fix} ${f.ruleId} ${f.host ?? ''}`} checked={s.chosenFixes.includes(key)} onChange={() => s.toggleFix(key)} onClick={(e) => e.stopPropagation()} />
                        ) : null}
                        <b>{rules.get(f.ruleId)?.title ?? f.ruleId}</b>{f.host ? ` · ${f.host}` : ''} — {f.message}
                      </summary>
                      <ul className="evidence">{f.evidence.map((e, i) => <li key={i}>{e.label}: <b>{e.value}</b>{e.source ? <code> {e.source}</code> : null}</li>)}</ul>
                      {f.outcome !== 'pass' && f.outcome !== 'not-applicable' ? <p className="resolution">{rules.get(f.ruleId)?.resolution}</p> : null}
                    </details>
                  );
                })}
              </div>
            ))}
          </section>
        );
      })}
    </div>
  );
}
