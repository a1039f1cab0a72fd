/**
 * One plan run per job at a time, across every Failguard this user runs on this computer: the
 * desktop app, `failguard serve`, the CLI and cron's `rehearse --if-due` may each start a run of
 * the same job, and two at once would act on the same servers (and the second would take the
 * first's open journal for one cut short and "resume" it). A run takes the job's lock file
 * (made exclusively) before it reads or changes anything, and removes it when it ends.
 *
 * The lock lives in the user's own state folder (~/.local/state/failguard/locks, from the user's
 * account, not the environment), not in the data folder: the app keeps its data elsewhere than
 * the CLI, and cron runs without the session's variables; the lock must be one for all. A lock
 * whose process is gone (killed, crashed, the computer restarted) is stale and taken over; on
 * Linux the process's start time is kept too, so a PID reused by another process does not hold it.
 * Within one process the lock is held by the async work that took it (AsyncLocalStorage), so a
 * run that takes it and then calls a plan run of its own is not refused by itself, while
 * another request of the same process (the dashboard during a scheduled rehearsal) is.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { UserError } from '../../shared/errors.ts';
import { userStateDir } from '../backend/state-dir.ts';

interface Holder { pid: number; start: string | null; what: string; at: string; token: string }

const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** The folder of the locks: in this user's own state folder, the same for the app, serve, the CLI and cron (whatever their environment). */
export const lockDir = () => join(userStateDir(), 'locks');

/** The folder, made if missing; refused unless it is a real folder of this user's alone (another user could otherwise plant or remove locks). */
function ownDir(dir: string): void {
  const refuse = (why: string) => new UserError('lock-dir', `Failguard cannot use the folder of its run locks, ${dir} (${why}); make it a folder of this user's alone, then try again.`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw refuse((e as NodeJS.ErrnoException).code === 'EACCES' ? 'it may not be created here' : (e as Error).message);
  }
  const s = lstatSync(dir);
  const uid = process.getuid?.();
  if (!s.isDirectory() || s.isSymbolicLink()) throw refuse('it is not a folder');
  if (uid !== undefined && (s.uid !== uid || (s.mode & 0o077) !== 0)) throw refuse('another user owns it or may write to it');
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

function ageMs(file: string): number | null {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function readHolder(file: string): Holder | 'gone' | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === 'number' ? { pid: h.pid, start: h.start ?? null, what: String(h.what ?? 'a plan'), at: String(h.at ?? ''), token: String(h.token ?? '') } : null;
  } catch {
    return null;
  }
}

const busy = (h: Holder | null) => new UserError('job-busy', h
  ? `Another Failguard on this computer is already running "${h.what}" for this job (process ${h.pid}, since ${h.at.slice(11, 19) || 'a moment ago'} UTC). Nothing was changed; wait for it to finish, then try again.`
  : 'Another Failguard on this computer is starting a run of this job at this very moment. Nothing was changed; try again in a few seconds.',
  { details: h });

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the job's lock or says who holds it. A stale lock is removed only under the takeover file
 * (made exclusively, so one process at a time takes a lock over) and only if it is still the same
 * stale lock (its token), so a live lock is never removed by a second taker.
 */
function acquire(file: string, what: string): Holder {
  const me: Holder = { pid: process.pid, start: startOf(process.pid), what, at: new Date().toISOString(), token: randomUUID() };
  const takeover = `${file}.takeover`;
  for (let attempt = 0; attempt < 60; attempt++) {
    // Written whole beside it, then linked into place (link fails when the name exists): a lock is never seen empty.
    const mine = `${file}.${me.token}`;
    const fd = openSync(mine, 'wx', 0o600);
    try { writeSync(fd, JSON.stringify(me)); } finally { closeSync(fd); }
    try {
      linkSync(mine, file);
      return me;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(mine, { force: true });
    }
    const h = readHolder(file);
    if (h === 'gone') continue;
    // A lock that makes no sense (never written by this version whole; a damaged disk) is a crash's once ten seconds old.
    if (h === null && (ageMs(file) ?? 0) < 10_000) throw busy(null);
    if (h !== null && alive(h)) throw busy(h);
    // Stale: taken over by one process at a time. A takeover file left by a crash (ten seconds old) is moved aside under a
    // name of its own and removed only if it is still that old one; a fresh one moved by mistake goes back.
    try {
      closeSync(openSync(takeover, 'wx', 0o600));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if ((ageMs(takeover) ?? 0) > 10_000) {
        const aside = `${takeover}.${me.token}`;
        try {
          renameSync(takeover, aside);
          if ((ageMs(aside) ?? 0) <= 10_000) { try { linkSync(aside, takeover); } catch { /* a newer one is there */ } }
          rmSync(aside, { force: true });
        } catch { /* another moved it first */ }
      }
      pause(50);
      continue;
    }
    try {
      const now = readHolder(file);
      const same = now === null ? h === null : now !== 'gone' && h !== null && now.token === h.token && now.pid === h.pid;
      if (same) rmSync(file, { force: true });
    } finally {
      rmSync(takeover, { force: true });
    }
  }
  const last = readHolder(file);
  throw busy(last === 'gone' ? null : last);
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
  const me = acquire(file, what);
  try {
    return await held.run(new Set([...mine, jobId]), fn);
  } finally {
    // Only our own lock: never one another process took over meanwhile.
    const now = readHolder(file);
    if (now !== null && now !== 'gone' && now.token === me.token) rmSync(file, { force: true });
  }
}

/** True when the error is another run holding the job's lock. */
export const isJobBusy = (e: unknown): boolean => e instanceof UserError && e.code === 'job-busy';
