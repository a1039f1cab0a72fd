/** `failguard failover`: parsing and printing; the failover service does the work. */
import { readJob } from '../jobs/job-file.ts';
import { join } from 'node:path';
import { dataDir } from '../backend/data-dir.ts';
import { failback, failover, planFailback, planFailover } from '../failover/service.ts';
import { chooseTarget } from '../failover/plan-now.ts';
import { pointChoiceFor } from '../failover/points.ts';
import { failbackPreview } from '../failover/failback-preview.ts';
import { choiceWords } from '../../shared/point-choice.ts';
import type { DirectoryCliOptions } from './discover-command.ts';
import type { Job } from '../../shared/job.ts';
import type { JobSecrets } from '../jobs/job-secrets.ts';
import { jobDirectory, secretsFor, sshSecretOf, type KeptCliOptions } from './kept-secrets.ts';
import { consentOf, printPlan, printResults, type PlanCliOptions } from './protect-command.ts';
import { readTsigSecrets } from './secret-files.ts';

export type FailoverCliOptions = PlanCliOptions & DirectoryCliOptions & KeptCliOptions & { target?: string; planned?: boolean; dnsSecrets?: string; at?: string };

/** TSIG secrets from the file given, else those kept for the job. */
const secretsOf = async (o: FailoverCliOptions, job: Job, kept: JobSecrets) => {
  const t = o.dnsSecrets ? await readTsigSecrets(o.dnsSecrets) : kept.tsigSecrets(job.id);
  return t ? { tsigSecrets: t } : {};
};

const progress = (s: string) => void process.stderr.write(`${s}\n`);

export async function failoverCommand(o: FailoverCliOptions): Promise<number> {
  const job = await readJob(o.job);
  const kept = await secretsFor(o);
  const dir = await jobDirectory(o, job, kept);
  const consent = consentOf(o);
  const ssh = await sshSecretOf(o, job, kept);
  // A point in time: chosen from what the standby holds now, said in words before the plan.
  const choice = o.at ? await pointChoiceFor(job, chooseTarget(job, o.target).name, o.at, ssh) : null;
  if (choice) process.stdout.write(`${choiceWords(choice, true)}\n`);
  const point = choice?.point ?? null;
  if (!consent) {
    const plan = await planFailover(job, dir, o.target, { onProgress: progress, planned: !!o.planned, point });
    printPlan(plan);
    // The point's own time picks it again, whenever the plan is applied (a span before now would not).
    process.stdout.write(`Nothing was changed. To apply exactly this plan: failguard failover --job ${o.job}${o.planned ? ' --planned' : ''}${choice ? ` --at ${new Date(choice.at).toISOString()}` : ''} ... --apply ${plan.id}\n`);
    return 0;
  }
  const r = await failover(job, dir, consent, o.target, { onProgress: progress, planned: !!o.planned, point, ...(await secretsOf(o, job, kept)), ...ssh });
  printPlan(r.plan);
  return printResults(r.results);
}

export async function failbackCommand(o: FailoverCliOptions): Promise<number> {
  const job = await readJob(o.job);
  const kept = await secretsFor(o);
  const dir = await jobDirectory(o, job, kept);
  const consent = consentOf(o);
  // What travels back, and about how long it takes: said before the plan (it is not part of it).
  process.stdout.write(`${(await failbackPreview(job, chooseTarget(job, o.target), await sshSecretOf(o, job, kept))).sentence}\n`);
  if (!consent) {
    const plan = await planFailback(job, dir, join(dataDir(), 'jobs', job.id), o.target, { onProgress: progress });
    printPlan(plan);
    process.stdout.write(`Nothing was changed. To apply exactly this plan: failguard failback --job ${o.job} ... --apply ${plan.id}\n`);
    return 0;
  }
  const r = await failback(job, dir, consent, o.target, { onProgress: progress, ...(await secretsOf(o, job, kept)), ...(await sshSecretOf(o, job, kept)) });
  printPlan(r.plan);
  return printResults(r.results);
}
