/** `failguard protect`, `status` and `unprotect`: parsing and printing; the provisioning service does the work. */
import type { Plan, PlanRunResult } from '../../shared/plan.ts';
import { describeStep } from '../../shared/plan.ts';
import { foldOutcomes } from '../../shared/preflight.ts';
import { UserError } from '../../shared/errors.ts';
import { readJob, writeJob } from '../jobs/job-file.ts';
import { agentStatus, hostTargets, planProvisioning, protect, runJobPlan } from '../provision/service.ts';
import { unprotectPlan } from '../provision/unprotect.ts';
import { verifyTarget } from '../provision/verify.ts';
import { runPreflightService } from '../preflight/service.ts';
import { OfferedPlans } from '../plans/offered.ts';
import { SshPool } from '../hosts/ssh-pool.ts';

export interface PlanCliOptions { job: string; apply?: string; yes?: boolean; json?: boolean }

const out = (s: string) => process.stdout.write(`${s}\n`);

function printPlan(plan: Plan): void {
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

function printResults(results: PlanRunResult[]): number {
  for (const r of results) {
    for (const st of r.steps) out(`  ${st.status.padEnd(16)} ${st.where}: ${st.action.slice(0, 140)}`);
    out(r.outcome === 'applied' ? `Done: ${r.title}.` : `Not done (${r.outcome}): ${r.error}`);
  }
  return results.every((r) => r.outcome === 'applied') ? 0 : 4;
}

const consentOf = (o: PlanCliOptions): string | null => (o.yes ? 'now' : o.apply ?? null);

export async function protectCommand(o: PlanCliOptions): Promise<number> {
  const job = await readJob(o.job);
  const consent = consentOf(o);
  if (consent) {
    // Provisioning refuses to start while a pre-flight rule fails on the job's servers.
    const [source, ...rest] = hostTargets(job);
    const pre = await runPreflightService({ operationId: `protect-${Date.now()}`, source: source!, targets: rest.slice(0, job.targets.length), ...(job.witness ? { witness: rest.at(-1)! } : {}), pins: job.hostKeys, replicationPort: job.replicationPort },
      { offered: new OfferedPlans(), onProgress: (s) => process.stderr.write(`${s}\n`) });
    const failing = pre.report.findings.filter((f) => f.outcome === 'failure' || f.outcome === 'error');
    if (foldOutcomes(pre.report.findings).exitCode >= 2) {
      throw new UserError('preflight-failed', `The pre-flight does not pass on the job's servers (${failing.slice(0, 5).map((f) => `${f.ruleId}${f.host ? ` on ${f.host}` : ''}`).join(', ')}${failing.length > 5 ? `, and ${failing.length - 5} more` : ''}); run failguard preflight, fix what it finds, then protect again.`);
    }
    const r = await protect(job, consent, { onProgress: (s) => process.stderr.write(`${s}\n`) });
    printPlan(r.plan);
    if (JSON.stringify(job.certificates) !== JSON.stringify(r.fingerprints)) await writeJob(o.job, { ...job, certificates: r.fingerprints });
    return printResults(r.results);
  }
  const pool = new SshPool({ pins: job.hostKeys, acceptUnknown: [] });
  try {
    const { plan } = await planProvisioning(job, pool, { onProgress: (s) => process.stderr.write(`${s}\n`) });
    printPlan(plan);
    if (plan.steps.length) out(`Nothing was changed. To apply exactly this plan: failguard protect --job ${o.job} --apply ${plan.id}`);
    return 0;
  } finally {
    await pool.closeAll();
  }
}

export async function unprotectCommand(o: PlanCliOptions & { purge?: boolean }): Promise<number> {
  const job = await readJob(o.job);
  const plan = unprotectPlan(job, !!o.purge);
  printPlan(plan);
  const consent = consentOf(o);
  if (!consent) {
    out(`Nothing was changed. To apply exactly this plan: failguard unprotect --job ${o.job}${o.purge ? ' --purge' : ''} --apply ${plan.id}`);
    return 0;
  }
  return printResults(await runJobPlan(job, plan, consent, { onProgress: (s) => process.stderr.write(`${s}\n`) }));
}

interface TargetView { state: string; lastPointAt: number | null; sends: number; fullSends: number; bytesRaw: number; bytesWire: number; lastError: string | null; current: { startedAt: number; bytesRaw: number; estimateBytes: number | null; parent: string | null } | null }

export interface SendProgress { initialSync: boolean; bytes: number; totalBytes: number | null; share: number | null; bytesPerSecond: number; etaSeconds: number | null }

/** Progress of the send under way: throughput, and for a full send (initial sync) the share done and the time left. */
export function sendProgress(c: NonNullable<TargetView['current']>, now: number): SendProgress {
  const bytesPerSecond = c.bytesRaw / Math.max(0.001, (now - c.startedAt) / 1000);
  const totalBytes = c.parent ? null : c.estimateBytes;
  const share = totalBytes ? Math.min(1, c.bytesRaw / totalBytes) : null;
  const etaSeconds = totalBytes && bytesPerSecond > 0 ? Math.max(0, (totalBytes - c.bytesRaw) / bytesPerSecond) : null;
  return { initialSync: !c.parent, bytes: c.bytesRaw, totalBytes, share, bytesPerSecond, etaSeconds };
}

function formatProgress(p: SendProgress): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  if (p.share === null || p.totalBytes === null) return `sending, ${mb(p.bytes)} at ${mb(p.bytesPerSecond)}/s`;
  const eta = p.etaSeconds === null ? '' : `, about ${p.etaSeconds < 90 ? `${Math.ceil(p.etaSeconds)} s` : `${Math.ceil(p.etaSeconds / 60)} min`} left`;
  return `initial sync ${(p.share * 100).toFixed(0)}% of ${mb(p.totalBytes)} at ${mb(p.bytesPerSecond)}/s${eta}`;
}

interface AgentView { role: string; version: string; received: { newestAt: number | null; count: number }; targets: Record<string, TargetView> }

export async function statusCommand(o: { job: string; json?: boolean; watch?: boolean }): Promise<number> {
  const job = await readJob(o.job);
  for (;;) {
    const all = await agentStatus(job);
    if (o.json) out(JSON.stringify(all));
    else {
      const now = Date.now();
      out(`${job.name}: ${job.source.name} → ${job.targets.map((t) => t.name).join(', ')}  (${new Date(now).toLocaleTimeString()})`);
      for (const h of all) {
        const a = h.state as AgentView | null;
        if (!a) { out(`  ${h.host.padEnd(10)} no agent: ${h.error}`); continue; }
        out(`  ${h.host.padEnd(10)} ${a.role.padEnd(7)} agent ${a.version}${a.role === 'target' ? `, ${a.received.count} points, newest ${a.received.newestAt ? `${((now - a.received.newestAt) / 1000).toFixed(1)} s old (RPO)` : 'none yet'}` : ''}`);
        for (const [t, v] of Object.entries(a.targets)) {
          const ratio = v.bytesWire ? (v.bytesRaw / v.bytesWire).toFixed(1) : '-';
          if (v.current) out(`    → ${t.padEnd(8)} ${formatProgress(sendProgress(v.current, now))}`);
          out(`    → ${t.padEnd(8)} ${v.state.padEnd(10)} last point ${v.lastPointAt ? `${((now - v.lastPointAt) / 1000).toFixed(1)} s old` : 'none'}, ${v.sends} sends (${v.fullSends} full), compression ${ratio}:1${v.lastError ? `, last error: ${v.lastError}` : ''}`);
        }
      }
    }
    if (!o.watch) return all.every((h) => h.state) ? 0 : 4;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export async function verifyCommand(o: { job: string; target?: string; json?: boolean }): Promise<number> {
  const job = await readJob(o.job);
  const targets = o.target ? [o.target] : job.targets.map((t) => t.name);
  let differ = false;
  for (const t of targets) {
    const r = await verifyTarget(job, t);
    differ ||= r.differences.length > 0;
    if (o.json) { out(JSON.stringify(r)); continue; }
    out(`${job.source.name} → ${r.target}, point ${r.point}: ${r.files} files, ${r.bytes} bytes, ${r.differences.length ? `${r.differences.length} differ:` : 'identical.'}`);
    for (const d of r.differences.slice(0, 50)) out(`  ${d.path}: ${d.source ? `${d.source.size} bytes` : 'missing'} on the source, ${d.target ? `${d.target.size} bytes` : 'missing'} on the target`);
  }
  return differ ? 4 : 0;
}
