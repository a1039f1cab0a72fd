/** JUnit XML for CI pipelines: one test case per rule and host; failures and errors as JUnit knows them. */
import type { PreflightReport } from '../../shared/preflight.ts';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function toJUnit(r: PreflightReport): string {
  const byCategory = new Map<string, typeof r.findings>();
  const info = new Map(r.rules.map((x) => [x.id, x]));
  for (const f of r.findings) {
    const cat = info.get(f.ruleId)?.category ?? 'other';
    byCategory.set(cat, [...(byCategory.get(cat) ?? []), f]);
  }
  const suites = [...byCategory.entries()].map(([cat, fs]) => {
    const cases = fs.map((f) => {
      const name = `${f.ruleId}${f.host ? ` [${f.host}]` : ''}`;
      const detail = esc([f.message, ...f.evidence.map((e) => `${e.label}: ${e.value}${e.source ? ` (${e.source})` : ''}`), `Resolution: ${info.get(f.ruleId)?.resolution ?? ''}`].join('\n'));
      const body = f.outcome === 'failure' ? `<failure message="${esc(f.message)}" type="failure">${detail}</failure>`
        : f.outcome === 'error' ? `<error message="${esc(f.message)}" type="probe-error">${detail}</error>`
        : f.outcome === 'not-applicable' ? `<skipped message="${esc(f.message)}"/>`
        : f.outcome === 'warning' ? `<system-out>WARNING: ${detail}</system-out>` : '';
      return `    <testcase classname="failguard.preflight.${esc(cat)}" name="${esc(name)}">${body}</testcase>`;
    });
    const count = (o: string) => fs.filter((f) => f.outcome === o).length;
    return `  <testsuite name="${esc(cat)}" tests="${fs.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('not-applicable')}" timestamp="${r.startedAt}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const total = (o: string) => r.findings.filter((f) => f.outcome === o).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="Failguard pre-flight ${esc(r.tool.version)}" tests="${r.findings.length}" failures="${total('failure')}" errors="${total('error')}" skipped="${total('not-applicable')}">\n${suites.join('\n')}\n</testsuites>\n`;
}
