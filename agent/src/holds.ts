/**
 * Points held on a standby: kept whatever the retention says, until a person releases them.
 * A point-in-time failover holds the points newer than the one it brought up (the data it set
 * aside); the tripwire holds the points from before an anomaly. Held in one file of the agent's
 * state folder, written durably; a file that cannot be read holds everything (nothing is pruned
 * until it is put right), because a lost hold could delete the only clean copy.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeDurably } from './durable.ts';
import { parsePoint } from '../../shared/points.ts';
import { UserError } from '../../shared/errors.ts';

export { holdSchema, type Hold } from '../../shared/agent-state.ts';
import { holdSchema, type Hold } from '../../shared/agent-state.ts';

const file = (stateDir: string) => join(stateDir, 'holds.json');

/** The holds, or null when the file exists but cannot be read (then every point counts as held). */
export function readHolds(stateDir: string): Hold[] | null {
  let text: string;
  try {
    text = readFileSync(file(stateDir), 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? [] : null;
  }
  const r = z.array(holdSchema).safeParse((() => { try { return JSON.parse(text) as unknown; } catch { return null; } })());
  return r.success ? r.data : null;
}

/** The holds as a standby's state says them: unreadable ones say so (and then none is shown, though all count as held). */
export function heldState(stateDir: string): { held: Hold[]; holdsUnreadable: true | undefined } {
  const holds = readHolds(stateDir);
  return { held: holds ?? [], holdsUnreadable: holds === null ? true : undefined };
}

/** Whether pruning may delete `point` under these holds (null: the holds are unreadable, so no). */
export const prunableUnder = (holds: Hold[] | null) => (point: string) => holds !== null && !holds.some((h) => h.point === point);

/**
 * One change at a time: the receiver (the tripwire), `promote`, `hold` and `release` run in
 * separate processes, and a change read before another was written would drop it. A lock file
 * made exclusively, waited for up to 5 s; one older than 30 s is a crashed writer's.
 */
function locked<T>(stateDir: string, fn: () => T): T {
  const lock = `${file(stateDir)}.lock`;
  for (let i = 0; ; i++) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = (() => { try { return Date.now() - statSync(lock).mtimeMs; } catch { return 0; } })();
      if (age > 30_000) rmSync(lock, { force: true });
      else if (i >= 250) throw new UserError('holds-busy', `The list of held points is being changed by another process for too long (${lock}); try again.`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Holds `points` with a reason; holding one already held keeps the first reason. Returns the points newly held. */
export function addHolds(stateDir: string, points: readonly string[], reason: string, now = Date.now()): string[] {
  return locked(stateDir, () => addHoldsNow(stateDir, points, reason, now));
}

function addHoldsNow(stateDir: string, points: readonly string[], reason: string, now: number): string[] {
  const cur = readHolds(stateDir);
  if (cur === null) throw new UserError('holds-unreadable', `The list of held points in ${file(stateDir)} cannot be read; nothing is pruned until it is put right. Move it away to start a new one.`);
  const fresh = [...new Set(points)].filter((p) => parsePoint(p) && !cur.some((h) => h.point === p));
  if (fresh.length) writeDurably(file(stateDir), JSON.stringify([...cur, ...fresh.map((point) => ({ point, reason, at: now }))]));
  return fresh;
}

/** Releases the given points, or every hold with 'all'; pruning may take them from the next point on. Returns how many were released. */
export function releaseHolds(stateDir: string, points: readonly string[] | 'all'): number {
  return locked(stateDir, () => releaseHoldsNow(stateDir, points));
}

function releaseHoldsNow(stateDir: string, points: readonly string[] | 'all'): number {
  const cur = readHolds(stateDir);
  if (cur === null) throw new UserError('holds-unreadable', `The list of held points in ${file(stateDir)} cannot be read; move it away to release every hold.`);
  const keep = points === 'all' ? [] : cur.filter((h) => !points.includes(h.point));
  if (keep.length !== cur.length) writeDurably(file(stateDir), JSON.stringify(keep));
  return cur.length - keep.length;
}
