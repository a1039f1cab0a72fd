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

/** Point names among `names`, oldest first; anything else (a partial receive, a stray folder) is left out. */
export function sortedPoints(names: readonly string[]): Point[] {
  return names.flatMap((n) => parsePoint(n) ?? []).sort((a, b) => a.seq - b.seq);
}

/** The newest point both sides hold: the parent of the next incremental send. */
export function newestCommon(local: readonly string[], remote: readonly string[]): string | null {
  const there = new Set(remote);
  return sortedPoints(local).filter((p) => there.has(p.name)).at(-1)?.name ?? null;
}

export interface Retention { last: number; hourlyForHours: number }

/** Which points to keep: the newest `last`, the newest of each hour for `hourlyForHours`, and every protected one (newest common points). */
export function pointsToKeep(names: readonly string[], r: Retention, now: number, protect: ReadonlySet<string>): Set<string> {
  const pts = sortedPoints(names);
  const keep = new Set(pts.slice(-Math.max(1, r.last)).map((p) => p.name));
  const hourly = new Map<number, Point>();
  for (const p of pts) if (now - p.at <= r.hourlyForHours * 3_600_000) hourly.set(Math.floor(p.at / 3_600_000), p);
  for (const p of hourly.values()) keep.add(p.name);
  for (const n of protect) if (names.includes(n)) keep.add(n);
  return keep;
}
