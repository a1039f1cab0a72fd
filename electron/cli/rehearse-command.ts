/**
 * `failguard rehearse`: a test failover on a target, without DNS, directory or lease changes, and
 * its report kept with the job. `--if-due` runs it only when the job's schedule says one is due
 * (for cron or a systemd timer); `failguard rehearsals` lists the kept reports and writes one out.
 */
import { stat, writeFile } from 'node:fs/promises';
import { readJob } from '../jobs/job-file.ts';
import { isJobBusy, withJobLock } from '../plans/job-lock.ts';
import { lastScheduledStart, later, noteScheduledStart } from '../jobs/rehearsal-slots.ts';
import type { Job } from '../../shared/job.ts';
import { chooseTarget, type DirectoryAccess } from '../failover/plan-now.ts';
import { rehearsalPlan } from '../failover/rehearsal.ts';
import { runRehearsal } from '../failover/rehearsal-run.ts';
import { pointChoiceFor } from '../failover/points.ts';
import { choiceWords } from '../../shared/point-choice.ts';
import { rehearsalDue, scheduleWords } from '../../shared/rehearsal-schedule.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';
import { listRehearsalReports, readRehearsalReport, renderRehearsalReport, type RehearsalFormat } from '../reports/rehearsal-store.ts';
import { checkReportPath } from '../reports/write.ts';
import { jobDirectory, secretsFor, sshSecretOf, type KeptCliOptions } from './kept-secrets.ts';
import type { DirectoryCliOptions } from './discover-command.ts';
import { consentOf, printPlan, printResults, type PlanCliOptions } from './protect-command.ts';

export type RehearseCliOptions = PlanCliOptions & KeptCliOptions & DirectoryCliOptions & { target?: string; at?: string; ifDue?: boolean };

export async function rehearseCommand(o: RehearseCliOptions): Promise<number> {
  const job = await readJob(o.job);
  if (!o.ifDue) return rehearse(job, o);
  // The look at the schedule and the run under one lock: the app, serve or another cron line cannot rehearse the same slot twice.
  try {
    return await withJobLock(job.id, `a scheduled rehearsal of ${job.name}`, () => rehearse(job, o));
  } catch (e) {
    if (!isJobBusy(e)) throw e;
    const h = (e as UserError).details as { what: string; pid: number };
    process.stdout.write(`No rehearsal now: another Failguard on this computer is running "${h.what}" for this job (process ${h.pid}). The next --if-due rehearses if one is still due.\n`);
    return 0;
  }
}

async function rehearse(job: Job, o: RehearseCliOptions): Promise<number> {
  const secrets = await secretsFor(o);
  if (o.ifDue) {
    const s = job.rehearsals;
    if (s.every === 'off') throw new UserError('bad-input', `The job ${job.name} schedules no rehearsal ("rehearsals" in the job is off); choose one in step 3 of the wizard, or run failguard rehearse without --if-due.`, { field: 'ifDue' });
    const last = (await listRehearsalReports(job.id))[0]?.report.startedAt;
    // A slot the app (or serve) already answered counts too: its reports are in another data folder.
    const now = new Date();
    const due = rehearsalDue(s, now, (await stat(o.job)).mtime, later(last ? new Date(last) : null, lastScheduledStart(job.id, now)));
    if (!due.dueSince) {
      process.stdout.write(`No rehearsal is due (${scheduleWords(s)}; the next at ${due.next ?? 'none'}).\n`);
      return 0;
    }
    process.stdout.write(`A rehearsal is due since ${due.dueSince} (${scheduleWords(s)}).\n`);
  }
  const target = chooseTarget(job, o.target ?? (o.ifDue ? job.rehearsals.target ?? job.targets[0]!.name : undefined));
  const ssh = await sshSecretOf(o, job, secrets);
  const choice = o.at ? await pointChoiceFor(job, target.name, o.at, ssh) : null;
  if (choice) process.stdout.write(`${choiceWords(choice, false)}\n`);
  const plan = rehearsalPlan(job, target, choice?.point ?? null);
  printPlan(plan);
  const consent = o.ifDue ? 'now' : consentOf(o);
  if (!consent) {
    process.stdout.write(`Nothing was changed. To apply exactly this plan: failguard rehearse --job ${o.job}${o.target ? ` --target ${o.target}` : ''}${choice ? ` --at ${new Date(choice.at).toISOString()}` : ''} --apply ${plan.id}\n`);
    return 0;
  }
  // The directory account counts the source's mailboxes for the report; without one the report says it was not read.
  const directory = await jobDirectory(o, job, secrets).then((d): DirectoryAccess | null => d, (e: unknown) => { process.stderr.write(`The mailboxes will not be counted against the directory: ${plainMessage(e)}\n`); return null; });
  const run = await runRehearsal(job, target, consent, { ...ssh, onProgress: (s) => process.stderr.write(`${s}\n`), trigger: o.ifDue ? 'schedule' : 'command', point: choice?.point ?? null, mailboxDirectory: directory });
  // Its report is kept: the slot is answered for the app's schedule too (still under the job's lock).
  if (o.ifDue) noteScheduledStart(job.id, new Date(run.report.startedAt));
  const code = printResults(run.results);
  const r = run.report;
  process.stdout.write(`Rehearsal ${r.outcome}: ${r.problems.length ? r.problems.join(' ') : 'the copy served, and the test message was read back.'}\n`);
  process.stdout.write(`Report: ${run.file} (and ${run.file.replace(/\.json$/, '.html')})\n`);
  return code !== 0 ? code : r.outcome === 'failed' ? 1 : 0;
}

/** `failguard rehearsals`: the kept reports, newest first; `--report NAME|latest --format F --out FILE` writes one. */
export async function rehearsalsCommand(o: { job: string; json?: boolean; report?: string; format?: string; out?: string }): Promise<number> {
  const job = await readJob(o.job);
  if (o.report) {
    const format = (o.format ?? 'html') as RehearsalFormat;
    if (!['json', 'html', 'pdf'].includes(format)) throw new UserError('bad-input', `${o.format} is not a report format; choose json, html or pdf.`, { field: 'format' });
    if (!o.out) throw new UserError('bad-input', 'Say where to write the report with --out FILE.', { field: 'out' });
    await checkReportPath(o.out);
    await writeFile(o.out, await renderRehearsalReport(await readRehearsalReport(job.id, o.report), format));
    process.stdout.write(`Wrote ${o.out}\n`);
    return 0;
  }
  const all = await listRehearsalReports(job.id);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(all.map((x) => ({ name: x.name, startedAt: x.report.startedAt, target: x.report.target, trigger: x.report.trigger, outcome: x.report.outcome, pointAgeSeconds: x.report.point.ageSeconds, timeToServiceSeconds: x.report.timeToServiceSeconds })))}\n`);
    return 0;
  }
  const s = job.rehearsals;
  process.stdout.write(`${job.name}: rehearsals ${scheduleWords(s)}; ${all.length} report(s) kept.\n`);
  for (const x of all) process.stdout.write(`  ${x.name}  ${x.report.outcome.padEnd(7)}  ${x.report.target}  point ${x.report.point.ageSeconds ?? '?'} s old, service after ${x.report.timeToServiceSeconds ?? '?'} s\n`);
  return 0;
}
