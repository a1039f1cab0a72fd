/**
 * Provisioning refuses to start while a pre-flight rule fails on the job's servers: the
 * CLI and the wizard both run the rules again here, on the job's hosts and pins, just
 * before the plan is applied.
 */
import type { Job } from '../../shared/job.ts';
import type { PreflightRequest } from '../../shared/preflight.ts';
import { foldOutcomes } from '../../shared/preflight.ts';
import { UserError } from '../../shared/errors.ts';
import { runPreflightService } from '../preflight/service.ts';
import { OfferedPlans } from '../plans/offered.ts';
import { hostTargets } from './service.ts';

export async function preflightGate(job: Job, o: { onProgress?: (stage: string) => void; signal?: AbortSignal; directory?: PreflightRequest['directory']; tsigSecrets?: Record<string, string>; sshSecret?: string } = {}): Promise<void> {
  const [source, ...rest] = hostTargets(job, o.sshSecret);
  const pre = await runPreflightService({
    operationId: `protect-${Date.now()}`, source: source!, targets: rest.slice(0, job.targets.length),
    ...(job.witness ? { witness: rest.at(-1)! } : {}), pins: job.hostKeys, replicationPort: job.replicationPort,
    // Step 3's choices bring their rules: DNS records (those in AD only when the directory is given), services, alert receivers.
    choices: { dns: job.failover.dns, services: job.failover.services, alerts: job.alerts },
    ...(o.directory ? { directory: o.directory } : {}), ...(o.tsigSecrets ? { tsigSecrets: o.tsigSecrets } : {}),
  }, { offered: new OfferedPlans(), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  if (foldOutcomes(pre.report.findings).exitCode < 2) return;
  const failing = pre.report.findings.filter((f) => f.outcome === 'failure' || f.outcome === 'error');
  const named = failing.slice(0, 5).map((f) => `${f.ruleId}${f.host ? ` on ${f.host}` : ''}`).join(', ');
  throw new UserError('preflight-failed', `The pre-flight does not pass on the job's servers (${named}${failing.length > 5 ? `, and ${failing.length - 5} more` : ''}); run the pre-flight, fix what it finds, then protect again.`);
}
