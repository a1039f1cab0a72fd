/**
 * Failover behind the CLI and the dashboard: the plan of now from the job and the directory
 * (reviewed by id), applied on the one plan engine with the job's connections; a run cut
 * short before is resumed first, so the next `failover` finishes what the last one began.
 */
import type { Job } from '../../shared/job.ts';
import type { Plan, PlanRunResult } from '../../shared/plan.ts';
import { runJobPlan, type ProvisionOptions } from '../provision/service.ts';
import { join } from 'node:path';
import { dataDir } from '../backend/data-dir.ts';
import { planFailback, planFailover, requireTsigSecrets, type DirectoryAccess } from './plan-now.ts';

export { planFailback, planFailover, requireTsigSecrets, type DirectoryAccess } from './plan-now.ts';

/** Applies the failover plan the person reviewed (by id); a run of it cut short earlier is finished first. */
export async function failover(job: Job, dir: DirectoryAccess, consent: string | 'now', targetName?: string, o: ProvisionOptions & { planned?: boolean; point?: string | null } = {}): Promise<{ plan: Plan; results: PlanRunResult[] }> {
  const plan = await planFailover(job, dir, targetName, o);
  requireTsigSecrets(plan, o.tsigSecrets);
  return { plan, results: await runJobPlan(job, plan, consent, { ...o, directory: dir, recover: true }) };
}

/** Applies the failback plan the person reviewed (by id); a run cut short earlier is finished first. */
export async function failback(job: Job, dir: DirectoryAccess, consent: string | 'now', targetName?: string, o: ProvisionOptions = {}): Promise<{ plan: Plan; results: PlanRunResult[] }> {
  const plan = await planFailback(job, dir, join(o.dataDir ?? dataDir(), 'jobs', job.id), targetName, o);
  requireTsigSecrets(plan, o.tsigSecrets);
  return { plan, results: await runJobPlan(job, plan, consent, { ...o, directory: dir, recover: true }) };
}
