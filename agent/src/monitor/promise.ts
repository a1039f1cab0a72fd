/**
 * A standby's promise, kept on its host: having answered the source's heartbeat as a standby,
 * it does not ask the witness for the lease for `standbyPromiseS` (rules.ts). The running agent
 * writes when it last answered before the answer leaves; the one-shot `lease` command (a
 * person's failover) reads it, so the promise holds whichever process asks. Times are the
 * host's CLOCK_MONOTONIC (shared by its processes, never set back); after a reboot the clock
 * restarts, and the time since boot bounds the time since the answer.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = (dir: string) => join(dir, 'standby-promise.json');
const bootId = () => { try { return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(); } catch { return ''; } };
const nowS = () => Number(process.hrtime.bigint() / 1_000_000n) / 1000;

/** Records that this standby answered the source just now (before the answer is sent). */
export function recordStandbyAnswer(dir: string): void {
  writeFileSync(file(dir), JSON.stringify({ boot: bootId(), at: nowS() }), { mode: 0o600 });
}

/** Seconds this standby is still bound by its promise (0: free to ask for the lease). Unreadable: bound for the whole promise. */
export function promiseLeftS(dir: string, promiseS: number): number {
  let rec: { boot?: unknown; at?: unknown };
  try {
    rec = JSON.parse(readFileSync(file(dir), 'utf8')) as typeof rec;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 0 : promiseS;
  }
  if (typeof rec.at !== 'number') return promiseS;
  // Another boot: the clock started again at boot, so at least `now` seconds passed since the answer.
  const since = rec.boot === bootId() ? nowS() - rec.at : nowS();
  return Math.max(0, promiseS - since);
}
