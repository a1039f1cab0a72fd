/**
 * Points a standby holds, as a person chooses among them: the list `failguard points` and the
 * dashboard show (time, size, held), the time a person gives (`--at`), and the point that time
 * picks — the newest taken at or before it — with what stays aside (the newer points and the
 * changes they carry). Pure: from an agent's state, no I/O.
 */
import { UserError } from './errors.ts';
import { sortedPoints } from './points.ts';
import type { AgentState, Hold } from './agent-state.ts';

export interface PointRow { point: string; at: number; bytes: number | null; held: Hold | null }

/** A standby's points (oldest first), or why they cannot be read. */
export interface StandbyPoints { host: string; rows: PointRow[] | null; error: string | null; holdsUnreadable: boolean; tripwire: TripwireView | null }

/** What the standby's ransomware tripwire says: its state, and once it fired, when and the last clean point (the one to bring up). */
export interface TripwireView { state: 'learning' | 'armed' | 'fired' | 'stands-aside'; firedAt: number | null; lastClean: string | null }

export const tripwireViewOf = (s: Pick<AgentState, 'tripwire'> | null | undefined): TripwireView | null =>
  (s?.tripwire ? { state: s.tripwire.state, firedAt: s.tripwire.firedAt, lastClean: s.tripwire.lastClean } : null);

/** A standby's points, oldest first, with their sizes and holds. */
export function pointRows(state: Pick<AgentState, 'points' | 'pointBytes' | 'held'>): PointRow[] {
  return sortedPoints(state.points).map((p) => ({ point: p.name, at: p.at, bytes: state.pointBytes[p.name] ?? null, held: state.held.find((h) => h.point === p.name) ?? null }));
}

export interface PointChoice {
  host: string;
  point: string;
  at: number;
  /** The points newer than the chosen one: set aside (held) by a failover, untouched by a rehearsal. */
  newer: number;
  /** What those newer points carry (their send streams), when every size is known. */
  newerBytes: number | null;
  newestAt: number | null;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * A time as a person writes it: an ISO 8601 date and time (`2026-12-04T10:30`, a space for the T,
 * seconds and a zone optional: without one it is this computer's local time), or a span before
 * now (`-15m`, `-2h`, `-1d`, `-90s`). A time in the future is refused.
 */
export function parseAtTime(text: string, now: number): number {
  const t = text.trim();
  const rel = /^-(\d+(?:\.\d+)?)\s*([smhd])$/.exec(t);
  if (rel) {
    const span = Number(rel[1]) * UNITS[rel[2]!]! * 1000;
    if (!(span <= 10 * 366 * 86_400_000)) throw new UserError('bad-input', `"${text}" reaches back further than ten years; no point is that old.`, { field: 'at' });
    return now - span;
  }
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/.exec(t);
  // A day the month does not have (2026-02-30) is refused, not moved into the next month.
  const dayExists = !!m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDate() === Number(m[3]);
  const iso = m && dayExists ? Date.parse(t.replace(' ', 'T')) : NaN;
  if (Number.isNaN(iso)) {
    throw new UserError('bad-input', `"${text}" is not a time Failguard reads; give a date and time such as 2026-12-04T10:30 (local time, or add Z for UTC) or a span before now such as -15m, -2h or -1d.`, { field: 'at' });
  }
  if (iso > now + 1000) throw new UserError('bad-input', `${new Date(iso).toISOString()} is in the future; give a time at or before now.`, { field: 'at' });
  return iso;
}

/** The newest point `host` holds taken at or before `at` (null: the newest of all), with what stays aside. */
export function choosePoint(host: string, rows: readonly PointRow[], at: number | null): PointChoice {
  if (!rows.length) throw new UserError('no-point', `${host} holds no complete point yet, so there is nothing to bring up; the initial sync never finished.`);
  const i = at === null ? rows.length - 1 : rows.findLastIndex((r) => r.at <= at);
  if (i < 0) {
    throw new UserError('no-point', `${host} holds no point taken at or before ${new Date(at!).toISOString()}; its oldest is from ${new Date(rows[0]!.at).toISOString()}. Choose a later time, or keep daily points for longer.`, { field: 'at' });
  }
  const newer = rows.slice(i + 1);
  return {
    host, point: rows[i]!.point, at: rows[i]!.at, newer: newer.length,
    newerBytes: newer.every((r) => r.bytes !== null) ? newer.reduce((n, r) => n + r.bytes!, 0) : null,
    newestAt: rows.at(-1)!.at,
  };
}

/** The choice in one sentence, for the plan's preview. */
export function choiceWords(c: PointChoice, forFailover: boolean): string {
  const when = new Date(c.at).toISOString();
  if (!c.newer) return `${c.host} brings up its newest point, taken ${when} (${c.point}).`;
  const size = c.newerBytes === null ? '' : ` (about ${formatBytes(c.newerBytes)} of changes)`;
  const aside = forFailover ? 'are set aside: kept and held on it until a person releases them, never brought up' : 'stay as they are (a rehearsal changes no point)';
  return `${c.host} brings up the point taken ${when} (${c.point}); its ${c.newer} newer point${c.newer === 1 ? '' : 's'}, up to ${new Date(c.newestAt!).toISOString()}${size}, ${aside}.`;
}

export function formatBytes(n: number): string {
  const u = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < u.length - 1) { v /= 1000; i++; }
  return i === 0 ? `${n} bytes` : `${v.toFixed(v >= 100 ? 0 : 1)} ${u[i]}`;
}
