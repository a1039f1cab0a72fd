/**
 * Consistency points: read-only btrfs snapshots named `p<sequence>-<unix ms>`, so that
 * name order is time order on both sides. Retention is a pure function of the names.
 * Shared by the agent, the app (status, verify) and the tests: one reading of the name.
 */

export interface Point { name: string; seq: number; at: number }

export const pointName = (seq: number, at: number) => `p${String(seq).padStart(10, '0')}-${at}`;

/** A point's name anywhere in a text (a log line, an error). */
export const POINT_IN_TEXT = /p\d{10}-\d{13}/g;

export function parsePoint(name: string): Point | null {
  const m = /^p(\d{10})-(\d{13})$/.exec(name);
  return m ? { name, seq: Number(m[1]), at: Number(m[2]) } : null;
}

/**
 * Point names among `names`, oldest first; anything else (a partial receive, a stray folder) is
 * left out. Equal sequence numbers (the old source's and the new one's after a failover) are
 * ordered by time, so the order is the same on every host.
 */
export function sortedPoints(names: readonly string[]): Point[] {
  return names.flatMap((n) => parsePoint(n) ?? []).sort(comparePoints);
}

/** Compares two point names in the order of sortedPoints (negative: `a` is older). */
export function comparePoints(a: Point, b: Point): number {
  return a.seq - b.seq || a.at - b.at;
}

/**
 * After `received` arrived, the points here it makes diverged: those ordered after it. A sender
 * sends its newest point, so anything newer here is on no line the sender has (points an old
 * source sent before a standby took over and began to send instead). They are set aside, never
 * promoted, and never deleted by Failguard.
 */
export function divergedAfter(names: readonly string[], received: string): string[] {
  const r = parsePoint(received);
  return r ? sortedPoints(names).filter((p) => comparePoints(p, r) > 0).map((p) => p.name) : [];
}

/** The newest point both sides hold: the parent of the next incremental send. */
export function newestCommon(local: readonly string[], remote: readonly string[]): string | null {
  const there = new Set(remote);
  return sortedPoints(local).filter((p) => there.has(p.name)).at(-1)?.name ?? null;
}

export interface Retention { last: number; hourlyForHours: number; dailyForDays?: number }

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Which points to keep: the newest `last`, the newest of each hour for `hourlyForHours`, the
 * newest of each day (UTC) for `dailyForDays`, and every protected one (newest common points,
 * points a person or the tripwire holds).
 */
export function pointsToKeep(names: readonly string[], r: Retention, now: number, protect: ReadonlySet<string>): Set<string> {
  const pts = sortedPoints(names);
  const keep = new Set(pts.slice(-Math.max(1, r.last)).map((p) => p.name));
  for (const [span, bucket] of [[r.hourlyForHours * HOUR, HOUR], [(r.dailyForDays ?? 0) * DAY, DAY]] as const) {
    const newestOf = new Map<number, Point>();
    for (const p of pts) if (now - p.at <= span) newestOf.set(Math.floor(p.at / bucket), p);
    for (const p of newestOf.values()) keep.add(p.name);
  }
  for (const n of protect) if (names.includes(n)) keep.add(n);
  return keep;
}

/** The newest point taken at or before `at` (ms), or null when every point is newer. */
export function pointAtOrBefore(names: readonly string[], at: number): Point | null {
  return sortedPoints(names).filter((p) => p.at <= at).at(-1) ?? null;
}
