/** `failguard protect`, `status` and `unprotect`: parsing and printing; the provisioning service does the work. */
import type { Plan, PlanRunResult } from '../../shared/plan.ts';
import { describeStep } from '../../shared/plan.ts';
import { readJob, writeJob } from '../jobs/job-file.ts';
import { loadJob, saveJob } from '../jobs/job-store.ts';
import { changeLine, jobChanges } from '../../shared/job-diff.ts';
import { agentStatus, planProvisioning, protect, runJobPlan } from '../provision/service.ts';
import { unprotectPlan } from '../provision/unprotect.ts';
import { verifyTarget } from '../provision/verify.ts';
import { preflightGate } from '../provision/gate.ts';
import { SshPool } from '../hosts/ssh-pool.ts';
import { readAlertSecrets, readTsigSecrets } from './secret-files.ts';
import type { DirectoryCliOptions } from './discover-command.ts';
import { jobDirectory, secretsFor, sshSecretOf, type KeptCliOptions } from './kept-secrets.ts';
import { replicationView, timeLeftText, type TargetView } from '../../shared/replication.ts';

export interface PlanCliOptions { job: string; apply?: string; yes?: boolean; json?: boolean }

const out = (s: string) => process.stdout.write(`${s}\n`);

export function printPlan(plan: Plan): void {
  if (!plan.steps.length) {
    out('Nothing to do: every host already runs this job as it is.');
    return;
  }
  out(`${plan.title} — plan ${plan.id}`);
  plan.steps.forEach((st, i) => {
    const v = describeStep(st);
    out(`  ${String(i + 1).padStart(2)}. ${st.description}\n      ${v.where}: ${v.action}\n      undo: ${v.undo}`);
  });
}

export function printResults(results: PlanRunResult[]): number {
  for (const r of results) {
    for (const st of r.steps) {
      out(`  ${st.status.padEnd(16)} ${st.where}: ${st.action.slice(0, 140)}`);
      // What the step said (a rehearsal's check: the greetings, the message read back), its last line.
      const said = st.output.trim().split('\n').at(-1)?.trim();
      if (said) out(`                   → ${said.slice(0, 1000)}`);
    }
    out(r.outcome === 'applied' ? `Done: ${r.title}.` : `Not done (${r.outcome}): ${r.error}`);
  }
  return results.every((r) => r.outcome === 'applied') ? 0 : 4;
}

export const consentOf = (o: PlanCliOptions): string | null => (o.yes ? 'now' : o.apply ?? null);

export async function protectCommand(o: PlanCliOptions & DirectoryCliOptions & KeptCliOptions & { alertSecrets?: string; dnsSecrets?: string }): Promise<number> {
  const job = await readJob(o.job);
  const consent = consentOf(o);
  const kept = await secretsFor(o);
  // Refused before anything is read or changed when there is nowhere to keep the job's keys.
  const keys = kept.keys(job.id);
  // Given on the command line, else kept for the job (with --secret-key-file), else none.
  const directory = o.dc || o.domain ? await jobDirectory(o, job, kept) : kept.jobDirectory(job);
  const alertSecrets = o.alertSecrets ? await readAlertSecrets(o.alertSecrets) : kept.alertSecrets(job.id);
  const tsigSecrets = o.dnsSecrets ? await readTsigSecrets(o.dnsSecrets) : kept.tsigSecrets(job.id);
  const ssh = await sshSecretOf(o, job, kept);
  if (consent) {
    await preflightGate(job, { onProgress: (s) => process.stderr.write(`${s}\n`), ...(directory ? { directory } : {}), ...(tsigSecrets ? { tsigSecrets } : {}), ...ssh });
    const r = await protect(job, consent, { onProgress: (s) => process.stderr.write(`${s}\n`), keys, ...(directory ? { directory } : {}), ...(alertSecrets ? { alertSecrets } : {}), ...(tsigSecrets ? { tsigSecrets } : {}), ...ssh });
    printPlan(r.plan);
    if (JSON.stringify(job.certificates) !== JSON.stringify(r.fingerprints)) await writeJob(o.job, { ...job, certificates: r.fingerprints });
    const code = printResults(r.results);
    // Kept on this computer too, like the wizard's: the start page lists it, and the next plan shows what changed.
    if (code === 0) {
      await saveJob({ ...job, certificates: r.fingerprints });
      await kept.keep(job, { ...(directory ? { directory } : {}), ...(alertSecrets ? { alertSecrets } : {}), ...(tsigSecrets ? { tsigSecrets } : {}), ...ssh });
    }
    return code;
  }
  const pool = new SshPool({ pins: job.hostKeys, acceptUnknown: [] });
  try {
    const { plan } = await planProvisioning(job, pool, { onProgress: (s) => process.stderr.write(`${s}\n`), keys, ...(directory ? { directory } : {}), ...(alertSecrets ? { alertSecrets } : {}), ...(tsigSecrets ? { tsigSecrets } : {}), ...ssh });
    const saved = await loadJob(job.id).catch(() => null);
    if (saved) {
      const changes = jobChanges(saved, job);
      out(changes.length ? `Changes against the job as it was last protected:\n${changes.map((c) => `  ${changeLine(c)}`).join('\n')}` : 'No setting changed since the job was last protected.');
    }
    printPlan(plan);
    if (plan.steps.length) out(`Nothing was changed. To apply exactly this plan: failguard protect --job ${o.job} --apply ${plan.id}`);
    return 0;
  } finally {
    await pool.closeAll();
  }
}

export async function unprotectCommand(o: PlanCliOptions & KeptCliOptions & { purge?: boolean }): Promise<number> {
  const job = await readJob(o.job);
  const ssh = await sshSecretOf(o, job, await secretsFor(o));
  const plan = unprotectPlan(job, !!o.purge);
  printPlan(plan);
  const consent = consentOf(o);
  if (!consent) {
    out(`Nothing was changed. To apply exactly this plan: failguard unprotect --job ${o.job}${o.purge ? ' --purge' : ''} --apply ${plan.id}`);
    return 0;
  }
  return printResults(await runJobPlan(job, plan, consent, { onProgress: (s) => process.stderr.write(`${s}\n`), ...ssh }));
}

function formatTarget(v: TargetView): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const parts: string[] = [v.phase];
  if (v.initialSync) {
    const s = v.initialSync;
    const eta = s.etaSeconds === null ? '' : `, about ${timeLeftText(s.etaSeconds)} left`;
    parts.push(s.share === null || s.totalBytes === null ? 'initial sync' : `initial sync ${(s.share * 100).toFixed(0)}% of ${mb(s.totalBytes)}${eta}`);
  }
  if (v.bytesPerSecond !== null) parts.push(`${mb(v.bytesPerSecond)}/s`);
  parts.push(v.rpoSeconds === null ? 'no point yet' : `newest point ${v.rpoSeconds.toFixed(1)} s old (RPO), ${v.points} points`);
  if (v.compressionRatio !== null) parts.push(`compression ${v.compressionRatio.toFixed(1)}:1`);
  if (v.limitBytesPerSecond !== null) parts.push(`limited to ${mb(v.limitBytesPerSecond)}/s`);
  if (v.monitor) parts.push(`monitor: ${v.monitor.state}${v.monitor.countdownS !== null ? ` (${v.monitor.mode === 'automatic' ? 'failover' : 'alert'} in ${Math.ceil(v.monitor.countdownS)} s unless it answers)` : ''}`);
  if (v.monitor?.leaseHolder) parts.push(`fenced: ${v.monitor.leaseHolder} holds the lease, so ${v.target} stays a standby and serves nothing`);
  if (v.lastError) parts.push(`last error: ${v.lastError}`);
  return parts.join(', ');
}

export async function statusCommand(o: KeptCliOptions & { job: string; json?: boolean; watch?: boolean }): Promise<number> {
  const job = await readJob(o.job);
  const { sshSecret } = await sshSecretOf(o, job, await secretsFor(o));
  for (;;) {
    const all = await agentStatus(job, undefined, sshSecret);
    if (o.json) out(JSON.stringify(all));
    else {
      const view = replicationView(job, all, Date.now());
      out(`${job.name}: ${job.source.name} → ${job.targets.map((t) => t.name).join(', ')}  (${new Date(view.at).toLocaleTimeString()})`);
      for (const h of view.hosts) out(`  ${h.host.padEnd(10)} ${h.role.padEnd(7)} ${h.version ? `agent ${h.version}` : `no agent: ${h.error}`}`);
      for (const t of view.targets) out(`  → ${t.target.padEnd(8)} ${formatTarget(t)}`);
    }
    if (!o.watch) return all.every((h) => h.state) ? 0 : 4;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export async function verifyCommand(o: KeptCliOptions & { job: string; target?: string; json?: boolean }): Promise<number> {
  const job = await readJob(o.job);
  const { sshSecret } = await sshSecretOf(o, job, await secretsFor(o));
  const targets = o.target ? [o.target] : job.targets.map((t) => t.name);
  let differ = false;
  for (const t of targets) {
    const r = await verifyTarget(job, t, sshSecret);
    differ ||= r.differences.length > 0;
    if (o.json) { out(JSON.stringify(r)); continue; }
    out(`${job.source.name} → ${r.target}, point ${r.point}: ${r.files} files, ${r.bytes} bytes, ${r.differences.length ? `${r.differences.length} differ:` : 'identical.'}`);
    for (const d of r.differences.slice(0, 50)) out(`  ${d.path}: ${d.source ? `${d.source.size} bytes` : 'missing'} on the source, ${d.target ? `${d.target.size} bytes` : 'missing'} on the target`);
  }
  return differ ? 4 : 0;
}
