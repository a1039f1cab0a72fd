/** A rehearsal report as one self-contained HTML file, in the pre-flight report's style (and printed to PDF the same way). */
import type { RehearsalOutcome, RehearsalReport } from '../../shared/rehearsal-report.ts';
import { durationText } from '../../shared/health-check.ts';
import { CSS, esc } from './html.ts';

const LABEL: Record<RehearsalOutcome, string> = { passed: 'Passed', warning: 'Passed, with warnings', failed: 'Failed' };
const CLASS: Record<RehearsalOutcome, string> = { passed: 'pass', warning: 'warning', failed: 'failure' };
const TRIGGER = { schedule: 'by its schedule', person: 'by a person, from the dashboard', command: 'from the command line' } as const;
const secs = (s: number | null) => (s === null ? '—' : durationText(s));
const row = (k: string, v: string, attr = '') => `<tr${attr}><th>${esc(k)}</th><td>${v}</td></tr>`;

function mailboxRows(r: RehearsalReport): string {
  const m = r.mailboxes;
  if (!m) return row('Mailboxes', '<span class="muted">not counted (the check did not run)</span>');
  const dir = m.directory === null ? `<span class="warning">not read</span>${m.directoryError ? ` <span class="muted">(${esc(m.directoryError)})</span>` : ''}` : String(m.directory);
  return [
    row('In the directory, homed on the source', dir, ' data-field="directory"'),
    row('Known on the copy', `${m.onCopy} <span class="muted">(${m.withMail} with mail, ${m.messages} messages in their inboxes)</span>`, ' data-field="on-copy"'),
    row('In the directory, unknown on the copy', m.missingCount ? `<span class="warning">${m.missingCount}</span>: ${esc(m.missing.join(', '))}${m.missingCount > m.missing.length ? ' …' : ''}` : '0', ' data-field="missing"'),
    ...(m.extraCount ? [row('On the copy, not homed on the source', String(m.extraCount))] : []),
    ...(m.censusError ? [row('Counting on the copy', `<span class="warning">${esc(m.censusError)}</span>`)] : []),
  ].join('');
}

export function rehearsalHtml(r: RehearsalReport): string {
  const t = r.testMessage;
  const test = !t ? '<span class="failure">not sent</span>'
    : t.readBack ? `<span class="pass">delivered and read back over IMAP</span> in ${secs(t.seconds)} <span class="muted">(to ${esc(t.to)}, token ${esc(t.token)})</span>`
      : `<span class="failure">${t.delivered ? 'delivered, not read back' : 'not delivered'}</span>: ${esc(t.error ?? '')} <span class="muted">(to ${esc(t.to)})</span>`;
  const f = r.firstMessage;
  const first = !f ? '<span class="muted">no mailbox with mail on the copy</span>'
    : f.error ? `<span class="failure">${esc(f.error)}</span>` : `${esc(f.user)}: ${f.exists} messages; the first ${f.subject ? `has a subject that reads in the clear <span class="muted">(its digest ${esc(f.subject)}; a person's subject is never written out)</span>` : 'has no subject that reads'}`;
  const p = r.point;
  const point = p.name ? `${esc(p.takenAt ?? '')} <span class="muted">(${esc(p.name)})</span>, ${p.ageSeconds === null ? '' : `${secs(p.ageSeconds)} old when the rehearsal began`}${p.chosen ? ', chosen by a person' : ', the newest'}` : '<span class="muted">unknown</span>';
  const steps = r.steps.map((s) => `<tr data-step="${esc(String(s.index))}" data-status="${esc(s.status)}"><td class="o ${s.status === 'applied' || s.status === 'verified-earlier' ? 'pass' : s.status === 'undone' ? 'warning' : 'failure'}">${esc(s.status)}</td><td>${esc(s.action)}<div class="ev">${esc(s.output)}</div></td><td>${esc(s.where)}</td><td>${secs(s.seconds)}</td></tr>`).join('\n');
  const problems = r.problems.length ? `<h2>What needs attention</h2><ul>${r.problems.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Failguard rehearsal report: ${esc(r.job.name)}</title><style>${CSS}</style></head><body>
<h1>Rehearsal report: ${esc(r.job.name)}</h1>
<div class="muted">Failguard ${esc(r.tool.version)} · ${esc(r.startedAt)} to ${esc(r.finishedAt)} · run ${TRIGGER[r.trigger]} on ${esc(r.controller)}</div>
<h2>Result</h2>
<p class="o ${CLASS[r.outcome] ?? ''}" data-outcome="${esc(r.outcome)}">${esc(LABEL[r.outcome] ?? r.outcome)}</p>
${problems}
<h2>What was rehearsed</h2>
<table>${row('Source (kept serving)', esc(r.source))}${row('Standby rehearsed', esc(r.target))}${row('Point brought up', point, ' data-field="point"')}${row('Time to service', `${secs(r.timeToServiceSeconds)} <span class="muted">from the start to the copy's services answering</span>`, ' data-field="time-to-service"')}</table>
<h2>Mail on the copy</h2>
<table>${row('Services', r.services ? esc(r.services.detail) : '—')}${row('Existing mail', first)}${row('Test message', test, ' data-field="test-message"')}${mailboxRows(r)}</table>
<h2>Steps</h2>
<table><thead><tr><th>Outcome</th><th>Step</th><th>Host</th><th>Took</th></tr></thead><tbody>${steps}</tbody></table>
<p class="muted">${r.plan.outcome === 'applied' ? `The copy was discarded after the check; ${esc(r.source.split(' ')[0] ?? 'the source')} served throughout, and replication went on.` : `The plan ended ${esc(r.plan.outcome)}${r.plan.error ? `: ${esc(r.plan.error)}` : ''}`}</p>
</body></html>
`;
}
