/** `failguard rehearse`: a test failover on a target, without DNS, directory or lease changes. */
import { readJob } from '../jobs/job-file.ts';
import { runJobPlan } from '../provision/service.ts';
import { chooseTarget } from '../failover/plan-now.ts';
import { rehearsalPlan } from '../failover/rehearsal.ts';
import { pointChoiceFor } from '../failover/points.ts';
import { choiceWords } from '../../shared/point-choice.ts';
import { secretsFor, sshSecretOf, type KeptCliOptions } from './kept-secrets.ts';
import { consentOf, printPlan, printResults, type PlanCliOptions } from './protect-command.ts';

export async function rehearseCommand(o: PlanCliOptions & KeptCliOptions & { target?: string; at?: string }): Promise<number> {
  const job = await readJob(o.job);
  const target = chooseTarget(job, o.target);
  const ssh = await sshSecretOf(o, job, await secretsFor(o));
  const choice = o.at ? await pointChoiceFor(job, target.name, o.at, ssh) : null;
  if (choice) process.stdout.write(`${choiceWords(choice, false)}\n`);
  const plan = rehearsalPlan(job, target, choice?.point ?? null);
  printPlan(plan);
  const consent = consentOf(o);
  if (!consent) {
    process.stdout.write(`Nothing was changed. To apply exactly this plan: failguard rehearse --job ${o.job}${o.target ? ` --target ${o.target}` : ''}${choice ? ` --at ${new Date(choice.at).toISOString()}` : ''} --apply ${plan.id}\n`);
    return 0;
  }
  return printResults(await runJobPlan(job, plan, consent, { onProgress: (s) => process.stderr.write(`${s}\n`), ...ssh }));
}
