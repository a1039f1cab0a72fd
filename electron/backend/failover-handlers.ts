/**
 * The dashboard's failover, planned switchover, failback and rehearsal behind the contract:
 * the plan of now for a saved job (shown, then confirmed), applied by id on the one plan
 * engine, each step's state reported as it runs. The same services as the CLI.
 */
import { join } from 'node:path';
import type { Handlers } from './handler-types.ts';
import type { Operations } from './operations.ts';
import type { FailoverPlanRequest } from '../../shared/protect.ts';
import type { Job } from '../../shared/job.ts';
import type { Plan, PlanRunResult } from '../../shared/plan.ts';
import { UserError } from '../../shared/errors.ts';
import { asOperation } from './as-operation.ts';
import { dataDir } from './data-dir.ts';
import { loadJob, recordAction } from '../jobs/job-store.ts';
import { chooseTarget, planFailback, planFailover, type DirectoryAccess } from '../failover/plan-now.ts';
import { rehearsalPlan } from '../failover/rehearsal.ts';
import { failbackPreview } from '../failover/failback-preview.ts';
import { failback, failover } from '../failover/service.ts';
import { runJobPlan, type ProvisionOptions } from '../provision/service.ts';
import { releasePlan } from '../failover/release.ts';
import { runRehearsal } from '../failover/rehearsal-run.ts';
import type { JobSecrets } from '../jobs/job-secrets.ts';

type FailoverHandlers = Pick<Handlers, 'failover.plan' | 'failover.apply'>;

const needDirectory = (r: FailoverPlanRequest): DirectoryAccess => {
  if (!r.directory) throw new UserError('bad-input', 'This writes DNS records and mailbox homes, so it needs the directory account: sign in to the directory in step 1 first (once the job is protected with it, the password is kept on this computer when the secret store is open).', { field: 'directory' });
  return r.directory;
};

async function planOf(job: Job, r: FailoverPlanRequest, o: ProvisionOptions): Promise<Plan> {
  if (r.point && (r.action === 'failback' || r.action === 'release')) throw new UserError('bad-input', r.action === 'release' ? 'Releasing lets the retention have every held point of the standby again; it takes no point in time.' : 'A failback brings back what the standby serves now; it takes no point in time.', { field: 'point' });
  switch (r.action) {
    case 'rehearsal': return rehearsalPlan(job, chooseTarget(job, r.target), r.point ?? null);
    case 'release': return releasePlan(job, chooseTarget(job, r.target), 'all');
    case 'failback': return planFailback(job, needDirectory(r), join(dataDir(), 'jobs', job.id), r.target, o);
    default: return planFailover(job, needDirectory(r), r.target, { ...o, planned: r.action === 'switchover', point: r.point ?? null });
  }
}

/**
 * The request with what was kept for the job filled in: the directory account (the job's
 * directory with its saved password, when the request brings none) and the TSIG secrets.
 */
function withKept(job: Job, r: FailoverPlanRequest, secrets: JobSecrets): FailoverPlanRequest {
  const directory = r.directory ? secrets.directory(r.directory) : secrets.jobDirectory(job);
  const dnsSecrets = { ...secrets.tsigSecrets(job.id), ...r.dnsSecrets };
  return { ...r, ...(directory ? { directory } : {}), ...(Object.keys(dnsSecrets).length ? { dnsSecrets } : {}) };
}

/** The SSH key's passphrase or password kept for the job, for the plan's connections. */
function sshOf(job: Job, secrets: JobSecrets): Pick<ProvisionOptions, 'sshSecret'> {
  const sshSecret = secrets.sshSecret(job.id);
  return sshSecret ? { sshSecret } : {};
}

export function failoverHandlers(operations: Operations, secrets: JobSecrets): FailoverHandlers {
  return {
    'failover.plan': (req, ctx) => asOperation(operations, req.operationId, ctx, async (progress) => {
      const job = await loadJob(req.jobId);
      const o = { ...progress, ...sshOf(job, secrets) };
      const plan = await planOf(job, withKept(job, req, secrets), o);
      // A failback says first what travels back and about how long it takes.
      if (req.action !== 'failback') return { plan };
      return { plan, notes: [(await failbackPreview(job, chooseTarget(job, req.target), sshOf(job, secrets))).sentence] };
    }),
    'failover.apply': (req, ctx) => asOperation(operations, req.operationId, ctx, async (progress) => {
      const job = await loadJob(req.jobId);
      const o = { ...progress, ...sshOf(job, secrets) };
      const r = withKept(job, req, secrets);
      const run = async (): Promise<{ plan: Plan; results: PlanRunResult[] }> => {
        if (r.action === 'rehearsal') {
          // Its report is kept with the job; the directory (when kept or given) counts the source's mailboxes for it.
          const done = await runRehearsal(job, chooseTarget(job, r.target), req.consent, { ...o, trigger: 'person', point: r.point ?? null, mailboxDirectory: r.directory ?? null });
          return { plan: done.plan, results: done.results };
        }
        if (r.action === 'release') {
          const plan = await planOf(job, r, o);
          return { plan, results: await runJobPlan(job, plan, req.consent, o) };
        }
        const tsig = r.dnsSecrets ? { tsigSecrets: r.dnsSecrets } : {};
        if (r.action === 'failback') return failback(job, needDirectory(r), req.consent, r.target, { ...o, ...tsig });
        return failover(job, needDirectory(r), req.consent, r.target, { ...o, ...tsig, planned: r.action === 'switchover', point: r.point ?? null });
      };
      const done = await run();
      const worst = done.results.find((x) => x.outcome !== 'applied')?.outcome ?? 'applied';
      await recordAction(job.id, { action: r.action, target: chooseTarget(job, r.target).name, at: new Date().toISOString(), outcome: worst === 'applied' ? 'applied' : worst === 'cancelled' ? 'cancelled' : worst === 'undone' ? 'undone' : 'failed' });
      return done;
    }),
  };
}
