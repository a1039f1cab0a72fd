/**
 * `failguard points`: the points each standby holds (time, size, held), the retention's space
 * estimate; and `failguard release`: a person lets held points be pruned again, as a plan
 * previewed and consented to like any change on a server.
 */
import { readJob } from '../jobs/job-file.ts';
import { standbyPoints } from '../failover/points.ts';
import { releasePlan } from '../failover/release.ts';
import { chooseTarget } from '../failover/plan-now.ts';
import { runJobPlan } from '../provision/service.ts';
import { formatBytes } from '../../shared/point-choice.ts';
import { UserError } from '../../shared/errors.ts';
import { retentionEstimate } from '../../shared/retention-estimate.ts';
import { secretsFor, sshSecretOf, type KeptCliOptions } from './kept-secrets.ts';
import { consentOf, printPlan, printResults, type PlanCliOptions } from './protect-command.ts';

const out = (s: string) => void process.stdout.write(`${s}\n`);

export async function pointsCommand(o: KeptCliOptions & { job: string; target?: string; json?: boolean }): Promise<number> {
  const job = await readJob(o.job);
  const only = o.target ? chooseTarget(job, o.target).name : null;
  const all = (await standbyPoints(job, await sshSecretOf(o, job, await secretsFor(o)))).filter((p) => !only || p.host === only);
  if (o.json) {
    out(JSON.stringify(all.map((p) => ({ ...p, estimate: p.rows ? retentionEstimate(p.rows, job.targets.find((t) => t.name === p.host)!.options) : null }))));
    return all.every((p) => p.rows) ? 0 : 4;
  }
  for (const p of all) {
    if (!p.rows) { out(`${p.host}: the points cannot be read: ${p.error}`); continue; }
    const held = p.rows.filter((r) => r.held).length;
    out(`${p.host}: ${p.rows.length} point${p.rows.length === 1 ? '' : 's'}${held ? `, ${held} held` : ''}${p.holdsUnreadable ? '; its list of held points cannot be read, so nothing is pruned' : ''}`);
    for (const r of p.rows) out(`  ${new Date(r.at).toISOString()}  ${r.point}  ${(r.bytes === null ? '—' : formatBytes(r.bytes)).padStart(10)}${r.held ? `  held: ${r.held.reason}` : ''}`);
    const e = retentionEstimate(p.rows, job.targets.find((t) => t.name === p.host)!.options);
    out(`  ${e.sentence}`);
  }
  return all.every((p) => p.rows) ? 0 : 4;
}

export async function releaseCommand(o: PlanCliOptions & KeptCliOptions & { target?: string; point?: string[]; all?: boolean }): Promise<number> {
  const job = await readJob(o.job);
  const target = chooseTarget(job, o.target);
  const points = o.point ?? [];
  if (!!o.all === points.length > 0) throw new UserError('bad-input', 'Say which held points to release: --point NAME (repeatable), or --all.', { field: 'point' });
  const plan = releasePlan(job, target, o.all ? 'all' : points);
  printPlan(plan);
  const consent = consentOf(o);
  if (!consent) {
    out(`Nothing was changed. To apply exactly this plan: failguard release --job ${o.job} --target ${target.name} ${o.all ? '--all' : points.map((p) => `--point ${p}`).join(' ')} --apply ${plan.id}`);
    return 0;
  }
  return printResults(await runJobPlan(job, plan, consent, { onProgress: (s) => process.stderr.write(`${s}\n`), ...(await sshSecretOf(o, job, await secretsFor(o))) }));
}
