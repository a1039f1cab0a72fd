/**
 * Reading and writing job files. A file that is missing, truncated, edited into nonsense
 * or of an unknown version is refused with one sentence naming the field, and is never
 * overwritten; a good job is written whole, then renamed into place (never half a file).
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { JOB_VERSION, jobSchema, type Job } from '../../shared/job.ts';
import { issueField } from '../../shared/schemas.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../backend/atomic-file.ts';

/** Every problem of a parsed job, as `field: what is wrong` (at most five, then how many more). */
function describeIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => `${issueField(i)}: ${i.message.replace(/^Invalid input: /, '')}`);
  const shown = lines.slice(0, 5).join('; ');
  return `${file} is not a valid job: ${shown}${lines.length > 5 ? `; and ${lines.length - 5} more` : ''}. Correct it, or make the job again in the wizard; the file was left as it is.`;
}

/** Parses job text (from a file or the wizard). */
export function parseJob(text: string, file = 'The job'): Job {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError('bad-job', text.trim() === ''
      ? `${file} is empty; make the job again in the wizard, or restore the file from a backup. It was left as it is.`
      : `${file} is not a complete job file (it is not valid JSON: it may have been cut short or edited by hand); restore it from a backup or make the job again. It was left as it is.`, { field: 'job' });
  }
  return checkJob(data, file);
}

/**
 * What a job saved before the stricter checks may hold and means the same: a protected path with a
 * trailing or doubled slash is written the normal way. Nothing else is changed.
 */
function normalised(data: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(data.protect)) return data;
  return { ...data, protect: data.protect.map((p: unknown) => (typeof p === 'string' && p.startsWith('/') ? p.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1') : p)) };
}

/** Checks a job given as data (the wizard's, or a parsed file): version first, then every field. */
export function checkJob(data: unknown, file = 'The job'): Job {
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof data !== 'object' || data === null || Array.isArray(data) || version === undefined) throw new UserError('bad-job', `${file} is not a Failguard job (it has no version); give a job file saved by Failguard.`, { field: 'version' });
  if (version !== JOB_VERSION) {
    throw new UserError('bad-job', typeof version === 'number' && version > JOB_VERSION
      ? `${file} is a job of version ${version}, newer than this Failguard understands (version ${JOB_VERSION}); update Failguard to open it. It was left as it is.`
      : `${file} has version ${JSON.stringify(version)}, which is not a job version Failguard knows; give a job file saved by Failguard.`, { field: 'version' });
  }
  const r = jobSchema.safeParse(normalised(data as Record<string, unknown>));
  if (!r.success) throw new UserError('bad-job', describeIssues(file, r.error), { field: issueField(r.error.issues[0]!) });
  return r.data;
}

export async function readJob(file: string): Promise<Job> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError('bad-job', `The job file cannot be read: ${plainMessage(e)}`, { field: 'job' });
  }
  return parseJob(text, file);
}

/** Writes a job; refuses to replace a file that exists and is not a job (it may be something else of value). */
export async function writeJob(file: string, job: Job): Promise<void> {
  const checked = jobSchema.safeParse(job);
  if (!checked.success) throw new UserError('bad-job', describeIssues('The job', checked.error), { field: issueField(checked.error.issues[0]!) });
  const existing = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(new UserError('bad-job', `The job file cannot be written: ${plainMessage(e)}`))));
  // Another job of this version may be replaced even when it no longer passes today's checks (that is how it gets fixed).
  if (existing !== null) {
    try {
      parseJob(existing, file);
    } catch (e) {
      const version = (() => { try { return (JSON.parse(existing) as { version?: unknown }).version; } catch { return undefined; } })();
      if (version !== JOB_VERSION) throw e;
    }
  }
  await writeFileAtomic(file, `${JSON.stringify(checked.data, null, 2)}\n`);
}

/** A new job's id. */
export const newJobId = () => randomUUID();
