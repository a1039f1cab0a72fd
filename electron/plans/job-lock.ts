/**
 * One plan run per job at a time, across every Failguard this user runs on this computer: the
 * desktop app, `failguard serve`, the CLI and cron's `rehearse --if-due` may each start a run of
 * the same job, and two at once would act on the same servers (and the second would take the
 * first's open journal for one cut short and "resume" it). A run takes the job's lock file
 * (made exclusively) before it reads or changes anything, and removes it when it ends.
 *
 * The lock lives in the user's runtime folder (XDG_RUNTIME_DIR), not in the data folder: the
 * app keeps its data elsewhere than the CLI, and the lock must be one for both. A lock whose
 * process is gone (killed, crashed, the computer restarted) is stale and taken over; on Linux
 * the process's start time is kept too, so a PID reused by another process does not hold it.
 * Within one process the lock is held by the async work that took it (AsyncLocalStorage), so a
 * run that takes it and then calls a plan run of its own is not refused by itself, while
 * another request of the same process (the dashboard during a scheduled rehearsal) is.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { UserError } from '../../shared/errors.ts';

interface Holder { pid: number; start: string | null; what: string; at: string }

const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** The folder of the locks: the runtime folder when the session has one, else a folder of this user's own in the temporary folder. */
export function lockDir(): string {
  if (process.env.XDG_RUNTIME_DIR) return join(process.env.XDG_RUNTIME_DIR, 'failguard');
  return join(tmpdir(), `failguard-${process.getuid?.() ?? 'user'}`);
}

/** The folder, made if missing; refused unless it is a real folder of this user's alone (another user could otherwise plant or remove locks). */
function ownDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const s = lstatSync(dir);
  const uid = process.getuid?.();
  const mine = s.isDirectory() && !s.isSymbolicLink() && (uid === undefined || (s.uid === uid && (s.mode & 0o077) === 0));
  if (!mine) throw new UserError('lock-dir', `The folder of Failguard's run locks, ${dir}, is not this user's alone; remove it (or set XDG_RUNTIME_DIR) and try again.`);
}

/** A process's start time (Linux: field 22 of /proc/PID/stat), or null where there is none to read. */
function startOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(h: Holder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // Alive (or another user's, EPERM): the same process only if it started when the holder did.
  const start = startOf(h.pid);
  return h.start === null || start === null || start === h.start;
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function readHolder(file: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' ? { pid: h.pid, start: h.start ?? null, what: String(h.what ?? 'a plan'), at: String(h.at ?? '') } : null;
  } catch {
    return null;
  }
}

const busy = (h: Holder) => new UserError('job-busy',
  `Another Failguard on this computer is already running "${h.what}" for this job (process ${h.pid}, since ${h.at.slice(11, 19) || 'a moment ago'} UTC). Nothing was changed; wait for it to finish, then try again.`,
  { details: h });

/** Takes the job's lock or says who holds it; a stale lock is moved aside (and put back if it turned out to be a live one). */
function acquire(file: string, what: string): void {
  const me: Holder = { pid: process.pid, start: startOf(process.pid), what, at: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try { writeSync(fd, JSON.stringify(me)); } finally { closeSync(fd); }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const h = readHolder(file);
    // A holder still writing its line reads as null for an instant (live); an empty file older than that is a crash's.
    const unreadable = h === null && ageMs(file) < 10_000;
    if (unreadable || (h !== null && alive(h))) throw busy(h ?? { pid: 0, start: null, what: 'a plan', at: '' });
    const aside = `${file}.stale-${randomUUID().slice(0, 8)}`;
    try { renameSync(file, aside); } catch { continue; }
    const moved = readHolder(aside);
    if (moved && moved.pid !== h?.pid) {
      // Another process took over the stale lock between the read and the rename: its lock goes back.
      try { linkSync(aside, file); } catch { /* a third holds it now; ours is moved aside all the same */ }
    }
    rmSync(aside, { force: true });
  }
  throw busy(readHolder(file) ?? { pid: 0, start: null, what: 'a plan', at: '' });
}

/**
 * Runs `fn` holding the job's lock; `what` is the run's name in the sentence another run is refused with.
 * `jobId` is a job's id, or for pre-flight fixes (which belong to no job yet) the origin of their journal.
 */
export async function withJobLock<T>(jobId: string, what: string, fn: () => Promise<T>, o: { dir?: string } = {}): Promise<T> {
  const mine = held.getStore() ?? new Set<string>();
  if (mine.has(jobId)) return fn();
  const dir = o.dir ?? lockDir();
  ownDir(dir);
  // A job's id names its file; another key (the origin of pre-flight fixes: the servers' names) by its digest.
  const file = join(dir, `job-${/^[\w-]{1,64}$/.test(jobId) ? jobId : createHash('sha256').update(jobId).digest('hex').slice(0, 32)}.lock`);
  acquire(file, what);
  try {
    return await held.run(new Set([...mine, jobId]), fn);
  } finally {
    if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
  }
}

/** True when the error is another run holding the job's lock. */
export const isJobBusy = (e: unknown): boolean => e instanceof UserError && e.code === 'job-busy';
