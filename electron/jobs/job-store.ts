/**
 * The jobs saved on this computer: `<data>/jobs/<id>/job.json`, beside the job's own
 * certificates. The wizard saves a job once it is provisioned, so that closing the app
 * or the browser and opening it again finds the job and shows its live state.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from '../../shared/job.ts';
import type { SavedJob } from '../../shared/protect.ts';
import { UserError } from '../../shared/errors.ts';
import { dataDir } from '../backend/data-dir.ts';
import { readJob, writeJob } from './job-file.ts';

const jobsDir = (base?: string) => join(base ?? dataDir(), 'jobs');
const jobFile = (id: string, base?: string) => join(jobsDir(base), id, 'job.json');

export async function saveJob(job: Job, base?: string): Promise<void> {
  await mkdir(join(jobsDir(base), job.id), { recursive: true, mode: 0o700 });
  await writeJob(jobFile(job.id, base), job);
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
    if (job) out.push({ job, savedAt: st.mtime.toISOString() });
  }
  return out.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

export async function loadJob(id: string, base?: string): Promise<Job> {
  const st = await stat(jobFile(id, base)).catch(() => null);
  if (!st) throw new UserError('no-job', 'There is no saved job with that id on this computer; protect the servers again from the wizard.', { field: 'jobId' });
  return readJob(jobFile(id, base));
}
