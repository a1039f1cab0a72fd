/** `failguard rules` and `failguard preflight`: the pre-flight catalog, and a run with fixes and reports. */
import { readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { HostKeyPin, HostTarget } from '../../shared/hosts.ts';
import { exitCodeFor, type PreflightRequest } from '../../shared/preflight.ts';
import { UserError } from '../backend/errors.ts';
import { SshPool } from '../hosts/ssh-pool.ts';
import { resolve4 } from '../directory/dns-client.ts';
import { catalog, runPreflight } from '../preflight/run.ts';
import { buildReport } from '../reports/build-report.ts';
import { writeReport, type ReportFormat } from '../reports/write.ts';
import { directoryWriterFor } from '../preflight/directory-writer.ts';
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
  pins?: string;
  acceptHostKey?: string[];
  fix?: boolean;
  report?: string;
  format?: ReportFormat;
  json?: boolean;
}

async function resolveHost(name: string, dns: string | undefined, domain: string | undefined, o: PreflightCliOptions): Promise<HostTarget> {
  let address = name;
  if (!isIP(name)) {
    const fqdn = name.includes('.') || !domain ? name : `${name}.${domain}`;
    address = (await resolve4(fqdn, dns).catch(() => [] as string[]))[0] ?? '';
    if (!address) throw new UserError('bad-input', `The host ${name} does not resolve${dns ? ` through ${dns}` : ''}; give its address, or the DNS server that knows it (--dns).`);
  }
  const auth = o.sshKey ? { kind: 'key' as const, keyFile: o.sshKey } : { kind: 'agent' as const };
  return { name, address, port: 22, user: o.sshUser, auth };
}

export async function preflight(o: PreflightCliOptions): Promise<number> {
  if (!o.source || !o.target?.length) throw new UserError('bad-input', 'Give the server to protect and at least one target: --source NAME --target NAME.');
  if (o.report && !o.format) throw new UserError('bad-input', 'Say which report to write: --format html, pdf, json or junit.');
  const started = new Date();
  const directory = o.domain || o.dc ? await directoryRequest(o) : undefined;
  const domain = o.domain ?? undefined;
  const pins: HostKeyPin[] = o.pins ? JSON.parse(await readFile(o.pins, 'utf8').catch(() => '[]')) as HostKeyPin[] : [];
  // Hosts are named as the directory names its servers (MAIL1), so directory rules can match them.
  const named = async (n: string) => ({ ...(await resolveHost(n, o.dns, domain, o)), name: directory ? n.toUpperCase() : n });
  const req: PreflightRequest = {
    operationId: `cli-${Date.now()}`,
    source: await named(o.source),
    targets: await Promise.all(o.target.map(named)),
    ...(o.witness ? { witness: await resolveHost(o.witness, o.dns, domain, o) } : {}),
    ...(directory ? { directory } : {}),
    pins,
    acceptHostKeys: o.acceptHostKey ?? [],
  };
  const pool = new SshPool({ pins, acceptUnknown: o.acceptHostKey ?? [] });
  try {
    const writer = directory ? await directoryWriterFor(directory) : undefined;
    const run = await runPreflight(req, { pool, fix: o.fix ? (plans) => plans : undefined, directoryWriter: writer, onProgress: (s) => process.stderr.write(`${s}\n`) });
    await writer?.close();
    const report = buildReport(req, run, started);
    if (o.pins && o.acceptHostKey?.length) {
      const seen = [run.facts.source, ...run.facts.targets, ...(run.facts.witness ? [run.facts.witness] : [])];
      const newPins = seen.flatMap((h) => (h.reach.ok && o.acceptHostKey!.includes(h.reach.hostKey) ? [{ host: h.address, port: 22, algorithm: 'ssh', fingerprint: h.reach.hostKey }] : []));
      await writeFile(o.pins, JSON.stringify([...pins.filter((p) => !newPins.some((n) => n.host === p.host)), ...newPins], null, 2));
    }
    if (o.report) await writeReport(report, o.report, o.format!);
    if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      for (const f of run.findings.filter((x) => x.outcome !== 'pass' && x.outcome !== 'not-applicable')) process.stdout.write(`${f.outcome.toUpperCase().padEnd(8)} ${f.ruleId}${f.host ? ` [${f.host}]` : ''}: ${f.message}\n`);
      for (const x of run.fixes) process.stdout.write(`FIX      ${x.plan.summary}: ${x.applied ? `applied, now ${x.recheck}` : x.error}\n`);
      const s = report.summary;
      process.stdout.write(`${s.pass} passed, ${s.warning} warnings, ${s.failure} failed, ${s.error} could not be checked, ${s['not-applicable']} not applicable.${run.plans.length && !o.fix ? ` ${run.plans.length} can be fixed automatically: run again with --fix.` : ''}\n`);
    }
    return exitCodeFor(run.findings);
  } finally {
    await pool.closeAll();
  }
}
