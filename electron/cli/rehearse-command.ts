/** `failguard rehearse`: a test failover on a target, without DNS, directory or lease changes. */
import { readJob } from '../jobs/job-file.ts';
import { runJobPlan } from '../provision/service.ts';
import { chooseTarget } from '../failover/plan-now.ts';
import { rehearsalPlan } from '../failover/rehearsal.ts';
import { secretsFor, sshSecretOf, type KeptCliOptions } from './kept-secrets.ts';
import { consentOf, printPlan, printResults, type PlanCliOptions } from './protect-command.ts';

export async function rehearseCommand(o: PlanCliOptions & KeptCliOptions & { target?: string }): Promise<number> {
  const job = await readJob(o.job);
  const plan = rehearsalPlan(job, chooseTarget(job, o.target));
  printPlan(plan);
  const consent = consentOf(o);
  if (!consent) {
    process.stdout.write(`Nothing was changed. To apply exactly this plan: failguard rehearse --job ${o.job}${o.target ? ` --target ${o.target}` : ''} --apply ${plan.id}\n`);
    return 0;
  }
  return printResults(await runJobPlan(job, plan, consent, { onProgress: (s) => process.stderr.write(`${s}\n`), ...(await sshSecretOf(o, job, await secretsFor(o))) }));
}
