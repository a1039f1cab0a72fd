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
import type { Plan } from '../../shared/plan.ts';
import { UserError } from '../../shared/errors.ts';
import { asOperation } from './as-operation.ts';
import { dataDir } from './data-dir.ts';
import { loadJob } from '../jobs/job-store.ts';
import { chooseTarget, planFailback, planFailover, type DirectoryAccess } from '../failover/plan-now.ts';
import { rehearsalPlan } from '../failover/rehearsal.ts';
import { failback, failover } from '../failover/service.ts';
import { runJobPlan, type ProvisionOptions } from '../provision/service.ts';

type FailoverHandlers = Pick<Handlers, 'failover.plan' | 'failover.apply'>;

const needDirectory = (r: FailoverPlanRequest): DirectoryAccess => {
  if (!r.directory) throw new UserError('bad-input', 'This writes DNS records and mailbox homes, so it needs the directory account: sign in to the directory in step 1 first.', { field: 'directory' });
  return r.directory;
};

async function planOf(job: Job, r: FailoverPlanRequest, o: ProvisionOptions): Promise<Plan> {
  switch (r.action) {
    case 'rehearsal': return rehearsalPlan(job, chooseTarget(job, r.target));
    case 'failback': return planFailback(job, needDirectory(r), join(dataDir(), 'jobs', job.id), r.target, o);
    default: return planFailover(job, needDirectory(r), r.target, { ...o, planned: r.action === 'switchover' });
  }
}

export function failoverHandlers(operations: Operations): FailoverHandlers {
  return {
    'failover.plan': (r, ctx) => asOperation(operations, r.operationId, ctx, async (o) => ({ plan: await planOf(await loadJob(r.jobId), r, o) })),
    'failover.apply': (r, ctx) => asOperation(operations, r.operationId, ctx, async (o) => {
      const job = await loadJob(r.jobId);
      if (r.action === 'rehearsal') {
        const plan = rehearsalPlan(job, chooseTarget(job, r.target));
        return { plan, results: await runJobPlan(job, plan, r.consent, o) };
      }
      const secrets = r.dnsSecrets ? { tsigSecrets: r.dnsSecrets } : {};
      if (r.action === 'failback') return failback(job, needDirectory(r), r.consent, r.target, { ...o, ...secrets });
      return failover(job, needDirectory(r), r.consent, r.target, { ...o, ...secrets, planned: r.action === 'switchover' });
    }),
  };
}
