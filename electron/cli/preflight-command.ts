/** `failguard rules` and `failguard preflight`: parsing and printing only; the pre-flight service does the work. */
import type { HostTarget } from '../../shared/hosts.ts';
import { foldOutcomes, type PreflightRunRequest, type ReportFormat } from '../../shared/preflight.ts';
import { describeStep } from '../../shared/plan.ts';
import { readSshSecretFile } from './kept-secrets.ts';
import { UserError } from '../../shared/errors.ts';
import { catalog } from '../preflight/run.ts';
import { runPreflightService } from '../preflight/service.ts';
import { checkReportPath, writeReport } from '../reports/write.ts';
import { addAcceptedPins, readPins } from '../hosts/pin-store.ts';
import { OfferedPlans } from '../plans/offered.ts';
import { directoryRequest, type DirectoryCliOptions } from './discover-command.ts';

export function printRules(json: boolean): void {
  const rules = catalog();
  if (json) {
    process.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
    return;
  }
  const w = Math.max(...rules.map((r) => r.id.length));
  for (const r of rules) process.stdout.write(`${r.id.padEnd(w)}  ${r.category.padEnd(12)} ${r.severity.padEnd(7)} ${r.fixable ? 'fix' : '   '}  ${r.title}\n`);
  process.stdout.write(`${rules.length} rules, ${rules.filter((r) => r.fixable).length} with an automatic fix.\n`);
}

export interface PreflightCliOptions extends DirectoryCliOptions {
  source?: string;
  target?: string[];
  witness?: string;
  sshUser: string;
  sshKey?: string;
  sshSecretFile?: string;
  pins?: string;
  acceptHostKey?: string[];
  fix?: boolean;
  interrupted?: 'resume' | 'rollback';
  report?: string;
  format?: ReportFormat;
  json?: boolean;
}

export async function preflight(o: PreflightCliOptions): Promise<number> {
  if (!o.source || !o.target?.length) throw new UserError('bad-usage', 'Give the server to protect and at least one target: --source NAME --target NAME.');
  if (o.report && !o.format) throw new UserError('bad-usage', 'Say which report to write: --format html, pdf, json or junit.');
  if (o.report) await checkReportPath(o.report);
  const directory = o.domain || o.dc ? await directoryRequest(o) : undefined;
  const pins = o.pins ? await readPins(o.pins) : [];
  const secret = o.sshSecretFile ? await readSshSecretFile(o.sshSecretFile) : undefined;
  const auth: HostTarget['auth'] = o.sshKey ? { kind: 'key', keyFile: o.sshKey, ...(secret ? { passphrase: secret } : {}) } : secret ? { kind: 'password', password: secret } : { kind: 'agent' };
  // Hosts are named as the directory names its servers (MAIL1), so directory rules can match them; the service resolves the addresses.
  const host = (n: string, named = true): HostTarget => ({ name: directory && named ? n.split('.')[0]!.toUpperCase() : n, address: n, port: 22, user: o.sshUser, auth });
  const req: PreflightRunRequest = {
    operationId: `cli-${Date.now()}`,
    source: host(o.source), targets: o.target.map((t) => host(t)), ...(o.witness ? { witness: host(o.witness, false) } : {}),
    ...(directory ? { directory } : {}), pins, acceptHostKeys: o.acceptHostKey ?? [], ...(o.interrupted ? { interrupted: o.interrupted } : {}),
  };
  const result = await runPreflightService(req, { offered: new OfferedPlans(), consentToAll: !!o.fix, onProgress: (s) => process.stderr.write(`${s}\n`) });
  const report = result.report;
  if (o.pins && o.acceptHostKey?.length) await addAcceptedPins(o.pins, pins, result.hostKeys, o.acceptHostKey);
  if (o.report) await writeReport(report, o.report, o.format!);
  if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const r of result.recovered) {
      process.stdout.write(`JOURNAL  an interrupted run from ${r.run.startedAt} (${r.run.plans.map((p) => p.title).join('; ')}): ${r.results ? r.results.map((x) => `${x.title}: ${x.outcome}`).join('; ') : r.waiting}\n`);
    }
    for (const f of report.findings.filter((x) => x.outcome !== 'pass' && x.outcome !== 'not-applicable')) process.stdout.write(`${f.outcome.toUpperCase().padEnd(8)} ${f.ruleId}${f.host ? ` [${f.host}]` : ''}: ${f.message}\n`);
    for (const x of report.fixes) {
      process.stdout.write(`FIX      ${x.title}: ${x.outcome === 'applied' ? `applied, now ${x.recheck}` : x.error}\n`);
      for (const st of x.steps) process.stdout.write(`           ${st.status.padEnd(16)} ${st.where}: ${st.action}\n`);
    }
    if (result.plans.length && !o.fix) {
      process.stdout.write(`${result.plans.length} can be fixed automatically; run again with --fix to apply these exactly:\n`);
      for (const p of result.plans) {
        process.stdout.write(`  ${p.title} (${p.id.slice(0, 19)})\n`);
        for (const st of p.steps.map(describeStep)) process.stdout.write(`    ${st.where}: ${st.action}\n      undo: ${st.undo}\n`);
      }
    }
    const s = report.summary;
    process.stdout.write(`${s.pass} passed, ${s.warning} warnings, ${s.failure} failed, ${s.error} could not be checked, ${s['not-applicable']} not applicable.\n`);
  }
  return foldOutcomes(report.findings).exitCode;
}
