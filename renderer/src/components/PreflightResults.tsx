import { OUTCOME_ORDER, type Category, type Finding, type Outcome, type RuleInfo } from '../../../shared/preflight.ts';
import { useAppStore } from './store-context.tsx';
import { messages } from '../messages.ts';
import { Modal } from './Modal.tsx';

/** Shown first, one by one, with their fixes: what needs attention. */
const ATTENTION: readonly Outcome[] = OUTCOME_ORDER.filter((o) => o === 'failure' || o === 'error' || o === 'warning');
/** Folded into a count per category that opens on demand. */
const FOLDED: readonly Outcome[] = OUTCOME_ORDER.filter((o) => !ATTENTION.includes(o));

/** What needs attention first (failures and errors open, with their fixes), then passed checks folded by category; each finding opens its rule's page. */
export function PreflightResults() {
  const s = useAppStore((x) => x);
  const r = s.preflight.result;
  if (!r) return null;
  const rules = new Map<string, RuleInfo>(r.report.rules.map((x) => [x.id, x]));
  const sum = r.report.summary;
  // Until the servers' keys are trusted, their checks could not run: the question comes alone, not after a page of "could not be checked".
  if (r.unknownHostKeys.length) {
    return (
      <div className="preflight-results">
        <div className="notice" data-testid="unknown-host-keys">
          <p>{messages.preflight.unknownKeys}</p>
          <ul>{r.unknownHostKeys.map((k) => <li key={k.address}><b>{k.host}</b> ({k.address}): <code>{k.fingerprint}</code></li>)}</ul>
          <p className="small">{messages.preflight.keysFirst}</p>
          <button type="button" className="primary" onClick={() => void s.trustHostKeys()}>{messages.preflight.trustKeys}</button>
        </div>
      </div>
    );
  }
  return (
    <div className="preflight-results">
      <p className="summary" data-testid="preflight-summary">
        {messages.preflight.summary(sum.failure, sum.error, sum.warning, sum.pass, sum['not-applicable'])}
      </p>
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
      {ATTENTION.map((outcome) => {
        const items = r.report.findings.filter((f) => f.outcome === outcome);
        if (!items.length) return null;
        return (
          <section key={outcome} className={`group ${outcome}`} data-group={outcome} aria-labelledby={`group-${outcome}`}>
            <h3 id={`group-${outcome}`}>{messages.preflight.outcome[outcome]} ({items.length})</h3>
            {items.map((f) => <FindingRow key={`${f.ruleId}-${f.host ?? ''}`} f={f} rule={rules.get(f.ruleId)} open={outcome === 'failure' || outcome === 'error'} />)}
          </section>
        );
      })}
      {FOLDED.map((outcome) => {
        const items = r.report.findings.filter((f) => f.outcome === outcome);
        if (!items.length) return null;
        const categories = [...new Set(items.map((f) => rules.get(f.ruleId)?.category ?? 'other'))] as Category[];
        return (
          <section key={outcome} className={`group ${outcome} folded`} data-group={outcome} aria-labelledby={`group-${outcome}`}>
            <h3 id={`group-${outcome}`}>{messages.preflight.outcome[outcome]} ({items.length})</h3>
            {categories.map((c) => {
              const inCat = items.filter((f) => (rules.get(f.ruleId)?.category ?? 'other') === c);
              return (
                <details key={c} className="category" data-category={c}>
                  <summary>{messages.preflight.category[c] ?? c}: {inCat.length}</summary>
                  {inCat.map((f) => <FindingRow key={`${f.ruleId}-${f.host ?? ''}`} f={f} rule={rules.get(f.ruleId)} open={false} />)}
                </details>
              );
            })}
          </section>
        );
      })}
      <RulePage />
    </div>
  );
}

/** One finding: its fix to choose (where it has one), the evidence, what to do, and its rule's page. */
function FindingRow({ f, rule, open }: { f: Finding; rule: RuleInfo | undefined; open: boolean }) {
  const s = useAppStore((x) => x);
  const plan = s.preflight.result?.plans.find((p) => p.ruleId === f.ruleId && (!p.host || p.host === f.host));
  const key = plan?.id ?? '';
  const fixable = plan && (f.outcome === 'failure' || f.outcome === 'warning');
  // The checkbox sits beside the summary, not in it: a control inside a summary is one a screen reader cannot reach.
  return (
    <div className={`finding-row${fixable ? ' fixable' : ''}`}>
      {fixable ? (
        <input type="checkbox" data-testid={`fix-${f.ruleId}-${f.host ?? ''}`} aria-label={`${messages.preflight.fix} ${rule?.title ?? f.ruleId}${f.host ? ` on ${f.host}` : ''}`} checked={s.chosenFixes.includes(key)} onChange={() => s.toggleFix(key)} />
      ) : null}
      <details className="finding" data-rule={f.ruleId} data-host={f.host ?? ''} data-outcome={f.outcome} open={open}>
        <summary><b>{rule?.title ?? f.ruleId}</b>{f.host ? ` · ${f.host}` : ''} — {f.message}</summary>
        <ul className="evidence">{f.evidence.map((e, i) => <li key={i}>{e.label}: <b>{e.value}</b>{e.source ? <code> {e.source}</code> : null}</li>)}</ul>
        {f.outcome !== 'pass' && f.outcome !== 'not-applicable' ? <p className="resolution">{rule?.resolution}</p> : null}
        <button type="button" className="link small" data-testid={`rule-link-${f.ruleId}`} onClick={() => s.showRule(f.ruleId)}>{messages.preflight.aboutRule(f.ruleId)}</button>
      </details>
    </div>
  );
}

/** A rule's page, shipped in the app (the same text as docs/rules/ID.md): why it matters, what to do, and its automatic fix. */
function RulePage() {
  const s = useAppStore((x) => x);
  const rule = s.preflight.result?.report.rules.find((x) => x.id === s.ruleShown);
  if (!rule) return null;
  const m = messages.preflight.rulePage;
  return (
    <Modal labelledBy="rule-title" testId="rule-page" onEscape={() => s.showRule(null)}>
      <h3 id="rule-title">{rule.title}</h3>
      <p className="muted small"><code>{rule.id}</code> · {messages.preflight.category[rule.category] ?? rule.category} · {rule.platform} · {m.severity[rule.severity]}</p>
      <h4>{m.why}</h4>
      <p>{rule.rationale}</p>
      <h4>{m.what}</h4>
      <p>{rule.resolution}</p>
      <h4>{m.fix}</h4>
      <p>{rule.fixable ? m.fixKind[rule.fixKind] : m.noFix}</p>
      <div className="actions"><button type="button" data-autofocus onClick={() => s.showRule(null)}>{messages.failover.close}</button></div>
    </Modal>
  );
}
