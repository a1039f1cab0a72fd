/**
 * When a scheduled rehearsal of each job last began, kept in the user's state folder that every
 * Failguard of the user shares: the app and `serve` keep their reports in the app's data folder,
 * cron's `rehearse --if-due` in the CLI's, so without this each would answer the same slot once.
 * Written under the job's run lock once the rehearsal's report is kept (a rehearsal that could not
 * even start leaves the slot owed, and the start page's overdue flag true to it).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userStateDir } from '../backend/state-dir.ts';
import { writeFileAtomicSync } from '../backend/atomic-file.ts';

const fileOf = (jobId: string) => join(userStateDir(), 'rehearsals', `${jobId.replace(/[^\w-]/g, '_')}.json`);

/** When a scheduled rehearsal of the job last began here, by any Failguard of this user; null when none did (or the time is ahead of now: a clock set back). */
export function lastScheduledStart(jobId: string, now = new Date()): Date | null {
  try {
    const at = Date.parse((JSON.parse(readFileSync(fileOf(jobId), 'utf8')) as { startedAt?: unknown }).startedAt as string);
    return Number.isFinite(at) && at <= now.getTime() ? new Date(at) : null;
  } catch {
    return null;
  }
}

export function noteScheduledStart(jobId: string, at: Date): void {
  const f = fileOf(jobId);
  mkdirSync(join(userStateDir(), 'rehearsals'), { recursive: true, mode: 0o700 });
  writeFileAtomicSync(f, JSON.stringify({ startedAt: at.toISOString() }));
}

/** The later of two times, either of which may be missing. */
export const later = (a: Date | null, b: Date | null): Date | null => (a && b ? (a > b ? a : b) : a ?? b);
