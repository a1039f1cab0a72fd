/**
 * Scheduled rehearsals while the desktop app or `failguard serve` runs: once a minute, each saved
 * job whose schedule has a slot waiting (shared/rehearsal-schedule.ts) is rehearsed, unattended,
 * with the secrets kept for it; its report is kept like any other, a failed one too (a failed
 * rehearsal is evidence as well, and the next try waits for the next slot). One run per job at a
 * time. When nothing runs the schedule (the app closed), the start page flags the slot overdue;
 * `failguard rehearse --if-due` from cron or a systemd timer is the way without the app.
 */
import type { Job } from '../../shared/job.ts';
import { rehearsalDue } from '../../shared/rehearsal-schedule.ts';
import { plainMessage } from '../../shared/errors.ts';
import type { RehearsalReport } from '../../shared/rehearsal-report.ts';
import { listJobs } from './job-store.ts';
import type { SavedJob } from '../../shared/protect.ts';
import { isJobBusy, withJobLock } from '../plans/job-lock.ts';
import { lastScheduledStart, later, noteScheduledStart } from './rehearsal-slots.ts';
import type { JobSecrets } from './job-secrets.ts';
import { rehearsalSummaries } from '../reports/rehearsal-store.ts';
import { runRehearsal } from '../failover/rehearsal-run.ts';

export type ScheduledRun = (job: Job, target: string) => Promise<RehearsalReport>;

export interface RehearsalScheduler {
  /** One look at every saved job; resolves once the rehearsals it started have ended. */
  tick(now?: Date): Promise<Array<{ jobId: string; outcome: RehearsalReport['outcome'] | 'error'; error?: string }>>;
  stop(): void;
}

export function rehearsalScheduler(run: ScheduledRun, o: { base?: string; everyMs?: number; log?: (line: string) => void } = {}): RehearsalScheduler {
  const running = new Set<string>();
  const log = o.log ?? (() => undefined);
  const rehearseIfDue = async (saved: SavedJob, now: Date) => {
    const last = (await rehearsalSummaries(saved.job.id, o.base, 1).catch(() => []))[0];
    const since = later(last ? new Date(last.startedAt) : null, lastScheduledStart(saved.job.id, now));
    const due = rehearsalDue(saved.job.rehearsals, now, new Date(saved.savedAt), since);
    if (!due.dueSince) return null;
    const target = saved.job.rehearsals.target ?? saved.job.targets[0]!.name;
    log(`${saved.job.name}: a scheduled rehearsal on ${target} (due since ${due.dueSince})`);
    const r = await run(saved.job, target);
    noteScheduledStart(saved.job.id, now);
    log(`${saved.job.name}: rehearsal ${r.outcome}`);
    return { jobId: saved.job.id, outcome: r.outcome };
  };
  const tick: RehearsalScheduler['tick'] = async (now = new Date()) => {
    const jobs = await listJobs(o.base);
    const started = jobs.filter((j) => j.job.rehearsals.every !== 'off' && !running.has(j.job.id)).map(async (saved) => {
      // Taken before anything is awaited: a tick that overlaps this one never starts the same job.
      running.add(saved.job.id);
      try {
        // The look at the schedule and the run under the job's lock: another Failguard (cron's --if-due) cannot rehearse the same slot.
        return await withJobLock(saved.job.id, `a scheduled rehearsal of ${saved.job.name}`, () => rehearseIfDue(saved, now));
      } catch (e) {
        if (isJobBusy(e)) { log(`${saved.job.name}: not now, ${plainMessage(e)}`); return null; }
        log(`${saved.job.name}: the scheduled rehearsal could not run: ${plainMessage(e)}`);
        return { jobId: saved.job.id, outcome: 'error' as const, error: plainMessage(e) };
      } finally {
        running.delete(saved.job.id);
      }
    });
    return (await Promise.all(started)).filter((x) => x !== null);
  };
  const timer = setInterval(() => void tick().catch((e: unknown) => log(`the rehearsal schedule could not be read: ${plainMessage(e)}`)), o.everyMs ?? 60_000);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}

/** The run the app and `serve` use: the job's kept SSH secret and directory account, consent given by the schedule itself. */
export function keptSecretsRun(secrets: JobSecrets): ScheduledRun {
  return async (job, target) => {
    const t = job.targets.find((x) => x.name.toLowerCase() === target.toLowerCase()) ?? job.targets[0]!;
    const sshSecret = secrets.sshSecret(job.id);
    const directory = secrets.jobDirectory(job) ?? null;
    return (await runRehearsal(job, t, 'now', { trigger: 'schedule', ...(sshSecret ? { sshSecret } : {}), mailboxDirectory: directory })).report;
  };
}
