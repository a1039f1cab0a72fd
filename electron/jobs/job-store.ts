/**
 * The jobs saved on this computer: `<data>/jobs/<id>/job.json`, beside the job's own
 * certificates. The wizard saves a job once it is provisioned, so that closing the app
 * or the browser and opening it again finds the job and shows its live state.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from '../../shared/job.ts';
import type { JobAction, SavedJob } from '../../shared/protect.ts';
import { UserError } from '../../shared/errors.ts';
import { dataDir } from '../backend/data-dir.ts';
import { readJob, writeJob } from './job-file.ts';
import { rehearsalSummaries } from '../reports/rehearsal-store.ts';
import { rehearsalDue } from '../../shared/rehearsal-schedule.ts';
import { writeFileAtomic } from '../backend/atomic-file.ts';

const jobsDir = (base?: string) => join(base ?? dataDir(), 'jobs');
const jobFile = (id: string, base?: string) => join(jobsDir(base), id, 'job.json');

export async function saveJob(job: Job, base?: string): Promise<void> {
  await mkdir(join(jobsDir(base), job.id), { recursive: true, mode: 0o700 });
  await writeJob(jobFile(job.id, base), job);
}

const historyFile = (id: string, base?: string) => join(jobsDir(base), id, 'history.json');

/** The failovers, failbacks and rehearsals run from this computer, oldest first (at most 50). */
async function history(id: string, base?: string): Promise<JobAction[]> {
  try {
    const h = JSON.parse(await readFile(historyFile(id, base), 'utf8')) as unknown;
    return Array.isArray(h) ? (h as JobAction[]) : [];
  } catch {
    return [];
  }
}

const openedFile = (id: string, base?: string) => join(jobsDir(base), id, 'opened');

/** Notes that a job was opened now (its file's time is the record). */
export async function markOpened(id: string, base?: string): Promise<void> {
  await loadJob(id, base);
  await writeFile(openedFile(id, base), '', { mode: 0o600 });
}

/** Notes a failover action run on a saved job, so the start page can say when the last one was. */
export async function recordAction(id: string, a: JobAction, base?: string): Promise<void> {
  const h = [...(await history(id, base)), a].slice(-50);
  await writeFileAtomic(historyFile(id, base), `${JSON.stringify(h, null, 1)}\n`);
}

/** Every readable saved job, newest first; a damaged file is left out (and left as it is). */
export async function listJobs(base?: string): Promise<SavedJob[]> {
  const ids = await readdir(jobsDir(base)).catch(() => [] as string[]);
  const out: SavedJob[] = [];
  for (const id of ids) {
    const file = jobFile(id, base);
    const st = await stat(file).catch(() => null);
    if (!st) continue;
    const job = await readJob(file).catch(() => null);
    if (!job) continue;
    const last = (await history(id, base)).at(-1);
    const opened = await stat(openedFile(id, base)).catch(() => null);
    const rehearsed = (await rehearsalSummaries(id, base, 1))[0] ?? null;
    const due = rehearsalDue(job.rehearsals, new Date(), st.mtime, rehearsed ? new Date(rehearsed.startedAt) : null);
    out.push({ job, savedAt: st.mtime.toISOString(), ...(last ? { lastAction: last } : {}), ...(opened ? { openedAt: opened.mtime.toISOString() } : {}), rehearsal: { last: rehearsed, due } });
  }
  const recent = (j: SavedJob) => (j.openedAt && j.openedAt > j.savedAt ? j.openedAt : j.savedAt);
  return out.sort((a, b) => recent(b).localeCompare(recent(a)));
}

export async function loadJob(id: string, base?: string): Promise<Job> {
  const st = await stat(jobFile(id, base)).catch(() => null);
  if (!st) throw new UserError('no-job', 'There is no saved job with that id on this computer; protect the servers again from the wizard.', { field: 'jobId' });
  return readJob(jobFile(id, base));
}
