/** One self-contained HTML file (no external assets) that reads well on screen and on paper. */
import { OUTCOME_ORDER, type FixResult, type Outcome, type PreflightReport } from '../../shared/preflight.ts';
import type { PlanOutcome } from '../../shared/plan.ts';

export const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
const LABEL: Record<Outcome, string> = { pass: 'Passed', warning: 'Warning', failure: 'Failed', error: 'Could not check', 'not-applicable': 'Not applicable' };
const ORDER = OUTCOME_ORDER;
const FIX_LABEL: Record<PlanOutcome, string> = { applied: 'Applied', undone: 'Failed, undone', stopped: 'Failed, stopped', refused: 'Refused', cancelled: 'Cancelled' };

export const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2733;margin:24px auto;max-width:1000px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d7dde5;padding-bottom:4px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e3e7ec;vertical-align:top}
.o{font-weight:600;white-space:nowrap}.failure{color:#a4262c}.error{color:#6b3fa0}.warning{color:#8a5a00}.pass{color:#1e7b34}.not-applicable{color:#5b6878}
.ev{font-size:12px;color:#44505e}.ev code{font-size:11px}.muted{color:#5b6878}.summary span{margin-right:16px}
tr{page-break-inside:avoid}@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}}`;

export function toHtml(r: PreflightReport): string {
  const info = new Map(r.rules.map((x) => [x.id, x]));
  const findings = [...r.findings].sort((a, b) => ORDER.indexOf(a.outcome) - ORDER.indexOf(b.outcome) || a.ruleId.localeCompare(b.ruleId));
  const rows = findings.map((f) => {
    const rule = info.get(f.ruleId);
    const ev = f.evidence.map((e) => `<div>${esc(e.label)}: <b>${esc(e.value)}</b>${e.source ? ` <code>${esc(e.source)}</code>` : ''}</div>`).join('');
    const resolution = f.outcome === 'failure' || f.outcome === 'warning' ? `<div><i>What to do:</i> ${esc(rule?.resolution ?? '')}</div>` : '';
    return `<tr data-rule="${esc(f.ruleId)}" data-outcome="${f.outcome}"><td class="o ${f.outcome}">${LABEL[f.outcome]}</td><td><b>${esc(rule?.title ?? f.ruleId)}</b> <span class="muted">${esc(f.ruleId)} · ${esc(rule?.category ?? '')}</span><div>${esc(f.message)}</div><div class="ev">${ev}${resolution}</div></td><td>${esc(f.host ?? '—')}</td></tr>`;
  }).join('\n');
  const fixLabel = (x: FixResult) => (x.outcome === 'applied' ? (x.recheck === 'pass' ? 'Fixed' : 'Applied, still not passing') : FIX_LABEL[x.outcome]);
  const fixes = r.fixes.map((x) => `<tr data-fix="${esc(x.plan.ruleId)}" data-outcome="${x.outcome}"><td class="o ${x.outcome === 'applied' && x.recheck === 'pass' ? 'pass' : 'failure'}">${fixLabel(x)}</td><td><b>${esc(x.title)}</b>${x.error ? `<div>${esc(x.error)}</div>` : ''}<div class="ev">${x.steps.map((st) => `<div>${esc(st.status)} · ${esc(st.where)}: <code>${esc(st.action)}</code>${st.output ? ` → ${esc(st.output.split('\n').at(-1) ?? '')}` : ''}</div>`).join('')}</div></td><td>${esc(x.plan.ruleId)}</td></tr>`).join('\n');
  const accepted = r.acceptedWarnings.map((a) => `<tr><td>${esc(a.ruleId)}</td><td>${esc(a.host ?? '')}</td><td>${esc(a.by)}</td><td>${esc(a.at)}</td></tr>`).join('');
  const s = r.summary;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Failguard pre-flight report</title><style>${CSS}</style></head><body>
<h1>Pre-flight report</h1>
<div class="muted">Failguard ${esc(r.tool.version)} · ${esc(r.startedAt)} to ${esc(r.finishedAt)} · run from ${esc(r.environment.controller)}</div>
<h2>Environment</h2>
<table><tr><th>Source</th><td>${esc(r.environment.source)}</td></tr><tr><th>Targets</th><td>${esc(r.environment.targets.join(', '))}</td></tr><tr><th>Witness</th><td>${esc(r.environment.witness ?? 'none')}</td></tr><tr><th>Directory</th><td>${esc(r.environment.directory ?? 'none')}</td></tr></table>
<h2>Summary</h2>
<p class="summary"><span class="failure">${s.failure} failed</span><span class="error">${s.error} could not be checked</span><span class="warning">${s.warning} warnings</span><span class="pass">${s.pass} passed</span><span class="not-applicable">${s['not-applicable']} not applicable</span> (${r.rules.length} rules)</p>
<h2>Findings</h2>
<table><thead><tr><th>Outcome</th><th>Check</th><th>Host</th></tr></thead><tbody>${rows}</tbody></table>
${r.fixes.length ? `<h2>Fixes applied</h2><table><tbody>${fixes}</tbody></table>` : ''}
${r.acceptedWarnings.length ? `<h2>Warnings accepted</h2><table><thead><tr><th>Rule</th><th>Host</th><th>By</th><th>When</th></tr></thead><tbody>${accepted}</tbody></table>` : ''}
</body></html>
`;
}
