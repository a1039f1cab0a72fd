/**
 * Steps 3–4 behind the contract: plan, apply (pre-flight again first), saved jobs and their
 * live view. The same provisioning service as `failguard protect`; the plan runs on the one
 * plan engine, its steps reported as they start and end.
 */
import type { Handlers } from './handler-types.ts';
import { asOperation } from './as-operation.ts';
import type { Operations } from './operations.ts';
import { replicationView } from '../../shared/replication.ts';
import { checkJob } from '../jobs/job-file.ts';
import { listJobs, loadJob, markOpened, saveJob } from '../jobs/job-store.ts';
import { agentStatus, planProvisioning, protect } from '../provision/service.ts';
import { preflightGate } from '../provision/gate.ts';
import { SshPool } from '../hosts/ssh-pool.ts';
import { JobPools } from '../provision/job-pools.ts';
import { jobChanges } from '../../shared/job-diff.ts';
import type { ProtectPlanRequest } from '../../shared/protect.ts';
import type { JobSecrets } from '../jobs/job-secrets.ts';
import { standbyPoints } from '../failover/points.ts';

type ProtectHandlers = Pick<Handlers, 'protect.plan' | 'protect.apply' | 'jobs.list' | 'jobs.opened' | 'jobs.status' | 'jobs.points'>;

/** What provisioning needs besides the job: the request's secrets, else those kept for the job. */
function provisionSecrets(r: ProtectPlanRequest, jobId: string, secrets: JobSecrets) {
  const directory = secrets.directory(r.directory);
  const alertSecrets = r.alertSecrets ?? secrets.alertSecrets(jobId);
  const tsigSecrets = r.dnsSecrets ?? secrets.tsigSecrets(jobId);
  const sshSecret = r.sshSecret || secrets.sshSecret(jobId);
  const keys = secrets.keys(jobId);
  return { keys, ...(directory ? { directory } : {}), ...(alertSecrets ? { alertSecrets } : {}), ...(tsigSecrets ? { tsigSecrets } : {}), ...(sshSecret ? { sshSecret } : {}) };
}

export function protectHandlers(operations: Operations, secrets: JobSecrets): ProtectHandlers {
  const pools = new JobPools();
  return {
    'protect.plan': (r, ctx) => asOperation(operations, r.operationId, ctx, async (o) => {
      const job = checkJob(r.job);
      const pool = new SshPool({ pins: job.hostKeys, acceptUnknown: [] });
      try {
        const saved = await loadJob(job.id).catch(() => null);
        const { plan } = await planProvisioning(job, pool, { ...o, ...provisionSecrets(r, job.id, secrets) });
        return { job, plan, changes: saved ? jobChanges(saved, job) : null };
      } finally {
        await pool.closeAll();
      }
    }),
    'protect.apply': (r, ctx) => asOperation(operations, r.operationId, ctx, async (o) => {
      const job = checkJob(r.job);
      const given = provisionSecrets(r, job.id, secrets);
      o.onProgress('Checking the servers again (pre-flight)');
      await preflightGate(job, { ...o, ...(given.directory ? { directory: given.directory } : {}), ...(given.tsigSecrets ? { tsigSecrets: given.tsigSecrets } : {}), ...(given.sshSecret ? { sshSecret: given.sshSecret } : {}) });
      const res = await protect(job, r.consent, { ...o, ...given });
      const saved = { ...job, certificates: res.fingerprints };
      if (res.results.every((x) => x.outcome === 'applied')) {
        await saveJob(saved);
        await secrets.keep(job, given);
      }
      return { job: saved, plan: res.plan, results: res.results };
    }),
    'jobs.opened': async (r) => { await markOpened(r.jobId); return {}; },
    'jobs.list': async () => (await listJobs()).map((j) => ({ ...j, kept: secrets.keptFor(j.job.id) })),
    'jobs.points': async (r) => {
      const job = await loadJob(r.jobId);
      return standbyPoints(job, { pool: pools.get(job), ...(secrets.sshSecret(job.id) ? { sshSecret: secrets.sshSecret(job.id)! } : {}) });
    },
    'jobs.status': async (r) => {
      const job = await loadJob(r.jobId);
      const statuses = await agentStatus(job, pools.get(job), secrets.sshSecret(job.id));
      if (statuses.some((x) => x.error)) await pools.drop(job);
      return replicationView(job, statuses, Date.now());
    },
  };
}
