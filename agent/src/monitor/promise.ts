/**
 * A standby's promise, kept on its host: having answered the source's heartbeat as a standby,
 * it does not ask the witness for the lease for `standbyPromiseS` (rules.ts). The running agent
 * writes when it last answered before the answer leaves; the one-shot `lease` command (a
 * person's failover) reads it, so the promise holds whichever process asks. Times are the host's
 * boot clock (clock.ts: shared by its processes, counting suspends, never set back); after a
 * reboot the clock starts again, and the time since boot bounds the time since the answer.
 *
 * Asking is announced first (`beginAsking`: a marker on disk), then the promise is checked, then
 * the witness asked; the agent writes the promise first and reads the marker after, and answers
 * "not a standby" while it is there. So an answer and a request can never both slip through: if
 * the answer's promise came before the check, the check sees it; if after, the agent sees the marker.
 */
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { writeDurably } from '../durable.ts';
import { join } from 'node:path';
import { bootNowMs } from './clock.ts';

const file = (dir: string) => join(dir, 'standby-promise.json');
const ASKING = 'lease-asking';
const bootId = () => { try { return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(); } catch { return ''; } };
const nowS = () => bootNowMs() / 1000;

/**
 * Records that this standby answers the source now (before the answer is sent). Replaced whole,
 * but not fsynced: the answer must not wait on the disk (a standby whose heartbeats stall behind a
 * busy disk makes the source refuse mail), and nothing is lost by it. A crashed or killed agent's
 * write is in the page cache, seen by the next reader; a power loss starts a new boot, whose clock
 * alone bounds the promise (see promiseLeftS: an old record from another boot, a torn or empty file,
 * or none at all each bind at least as long as the write would have).
 */
export function recordStandbyAnswer(dir: string): void {
  writeFileSync(`${file(dir)}.tmp`, JSON.stringify({ boot: bootId(), at: nowS() }), { mode: 0o600 });
  renameSync(`${file(dir)}.tmp`, file(dir));
}

/**
 * Seconds this standby is still bound by its promise (0: free to ask for the lease). Unreadable:
 * bound for the whole promise. No file at all: bound until the promise has passed since boot (a
 * file lost with a crash cannot free a host that answered just before it).
 */
export function promiseLeftS(dir: string, promiseS: number): number {
  let rec: { boot?: unknown; at?: unknown };
  try {
    rec = JSON.parse(readFileSync(file(dir), 'utf8')) as typeof rec;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? Math.max(0, promiseS - nowS()) : promiseS;
  }
  if (typeof rec.at !== 'number') return promiseS;
  // Another boot: the clock started again at boot, so at least `now` seconds passed since the answer.
  const since = rec.boot === bootId() ? nowS() - rec.at : nowS();
  return Math.max(0, promiseS - since);
}

/**
 * This standby is about to ask for the lease: from now on its agent answers heartbeats as "not a
 * standby". Each asker writes a marker of its own (`lease-asking-<who>`), never rewritten by
 * another, so clearing one can never remove another asker's; returns its name.
 */
export function beginAsking(dir: string, who = `${process.pid}-${randomBytes(4).toString('hex')}`): string {
  const name = `${ASKING}-${who}`;
  writeDurably(join(dir, name), String(bootNowMs()));
  return name;
}

/** The witness refused the request (an answer, not a silence): a standby again, as far as this asker goes. */
export function endAsking(dir: string, name: string): void {
  rmSync(join(dir, name), { force: true });
}

const markers = (dir: string) => { try { return readdirSync(dir).filter((f) => f === ASKING || f.startsWith(`${ASKING}-`)); } catch { return []; } };

/**
 * Whether a request for the lease is under way, or was made and may have been granted: a marker
 * never expires by itself. An asker that died, or got no answer, after the witness granted it
 * (before its phase was written) must not answer as a standby again, or the source would take
 * mail on its word while it holds the lease. A marker goes when the witness refuses that request
 * (`endAsking`), and when the monitor hears from the witness that another host holds the lease and
 * the marker is old enough that its asker is done (`settleAsking`).
 */
export function isAsking(dir: string): boolean {
  return markers(dir).length > 0;
}

/** How long ago (ms, on the boot clock) a marker was written; Infinity when from another boot or unreadable. */
function ageMs(file: string): number {
  const at = Number((() => { try { return readFileSync(file, 'utf8'); } catch { return ''; } })());
  return Number.isFinite(at) && at > 0 && at <= bootNowMs() ? bootNowMs() - at : Infinity;
}

/** A request older than a minute (every asker has its answer by then). */
export const ASKING_SETTLED_MS = 60_000;

/**
 * Removes the markers of requests that are over, once the witness names another host: those older
 * than ASKING_SETTLED_MS, each by its own name (a marker written meanwhile by a new asker has
 * another name and stays). Returns the names removed.
 */
export function settleAsking(dir: string): string[] {
  const old = markers(dir).filter((f) => ageMs(join(dir, f)) > ASKING_SETTLED_MS);
  for (const f of old) rmSync(join(dir, f), { force: true });
  return old;
}

/** Every marker (after a failback, the failover is over). */
export function clearAsking(dir: string): void {
  for (const f of markers(dir)) rmSync(join(dir, f), { force: true });
}
