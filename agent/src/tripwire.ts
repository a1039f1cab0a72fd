/**
 * The ransomware tripwire, on each standby: every point it receives is a send stream of what
 * changed, read as it passes (send-stream-meter.ts) for which files it writes and how well the
 * new content of each compresses. Mail is text — even an attachment that is already compressed
 * is stored base64-encoded, which still compresses to about three quarters — while a file
 * encrypted in place is random bytes, which do not compress at all. Files whose new content does
 * not compress are suspect; when at least MIN_FILES distinct ones, carrying MIN_BYTES or more, arrive
 * within SUSPECT_WINDOW_MS, the tripwire fires: a critical alert, and the points from before the
 * first suspect one are held from pruning until a person releases them, the newest of them named
 * the last clean point (what a point-in-time failover should bring up).
 *
 * Why files and not bytes: a server also appends to a few files whose content does not compress
 * (a database's journal, an encrypted log): that is one file, however many megabytes, while an
 * attack rewrites many. The trade-off: an attack that encrypts fewer than MIN_FILES files a
 * minute goes unnoticed, and a person who drops twenty or more raw (not MIME-encoded) archives or
 * encrypted files into the mail store within a minute sets it off. And a site whose mail is
 * stored compressed or encrypted at rest writes nothing but incompressible files, so the
 * tripwire learns the job's pattern from its first LEARN_POINTS points with files to judge, and
 * stands aside — saying so — while the typical point (the median of the last BASELINE_SIZE)
 * has STANDS_ASIDE_SHARE or more of its files incompressible.
 */
import type { StreamMeasure } from './send-stream-meter.ts';

/** Incompressible files within the window that fire it, and the least they must carry. */
export const MIN_FILES = 20;
export const MIN_BYTES = 256 << 10;
export const SUSPECT_WINDOW_MS = 60_000;
/** A point with this many files judged counts toward the job's pattern. */
export const MIN_JUDGED_FILES = 3;
/** Points with files to judge that it learns from before it judges any (a job attacked before that goes unnoticed). */
export const LEARN_POINTS = 5;
export const BASELINE_SIZE = 50;
/** The typical point's share of incompressible files at or above which the tripwire stands aside. */
export const STANDS_ASIDE_SHARE = 0.5;
/** After a fire, the tripwire is armed again once no suspect point came for this long. */
export const REARM_AFTER_MS = 10 * 60_000;
/** The points held when it fires: the last clean one and this many before it. */
export const HELD_BEFORE = 3;
/** Points the tripwire's fires may hold at once (ten fires' worth); past that it alerts without holding more. */
export const MAX_TRIPWIRE_HOLDS = 40;
/** Points remembered (about ten minutes at one a second): the clean ones before a slow start of an attack are among them. */
export const RECENT_POINTS = 700;
/** Incompressible files remembered per point (distinct ones are counted), and their paths' length kept. */
const PATHS_KEPT = 50;
const PATH_CHARS = 512;

export type TripwireState = 'learning' | 'armed' | 'fired' | 'stands-aside';

/** What the tripwire remembers between points (kept in the agent's state, so a restart keeps it). */
export interface TripwireMemory {
  state: TripwireState;
  /** Each recent point's share of incompressible files, for points with files to judge (the pattern is their median). */
  shares: number[];
  /** Points with incompressible files lately: when, which, the files (by path), how many bytes written to them. */
  suspects: Array<{ at: number; point: string; paths: string[]; bytes: number }>;
  /** The points received lately, oldest first (to find the ones before an anomaly). */
  recent: string[];
  firedAt: number | null;
  /** The newest clean point when it fired: the one to fail over or rehearse to. */
  lastClean: string | null;
  /** Files seen incompressible lately, by path, with when last seen: a file seen again (a journal appended to) is no news. */
  known?: Record<string, number>;
}

export const newTripwireMemory = (): TripwireMemory => ({ state: 'learning', shares: [], suspects: [], recent: [], firedAt: null, lastClean: null, known: {} });

/** Paths remembered as known incompressible files at most. */
const KNOWN_PATHS = 500;

const median = (xs: readonly number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)]! : NaN; };

export interface TripwireFire { lastClean: string | null; hold: string[]; files: number; bytes: number; points: number }

const stateOf = (shares: readonly number[]): TripwireState => (shares.length < LEARN_POINTS ? 'learning' : median(shares) >= STANDS_ASIDE_SHARE ? 'stands-aside' : 'armed');

/**
 * One received point, judged. Returns the fire when this point sets the tripwire off (once per
 * episode). `m` is updated in place. Pure: the time is given.
 */
export function observePoint(m: TripwireMemory, point: string, s: StreamMeasure, now: number): TripwireFire | null {
  const before = m.recent.slice();
  m.recent = [...m.recent, point].slice(-RECENT_POINTS);
  if (m.state === 'fired' && m.firedAt !== null && now - Math.max(m.firedAt, ...m.suspects.map((x) => x.at)) > REARM_AFTER_MS) {
    // The last clean point stays named (it is still held) until another fire names another.
    m.state = 'armed';
    m.firedAt = null;
    m.suspects = [];
  }
  // Suspects are remembered for the re-arm time: an attack that starts slowly and speeds up is one episode, and its
  // first suspect marks where clean ends (a file already known incompressible, like a journal, is never a suspect).
  if (m.state !== 'fired') m.suspects = m.suspects.filter((x) => now - x.at <= REARM_AFTER_MS);
  if (s.unreadable) return null;
  // Only files not seen incompressible lately are news: a journal appended to every second is one file, seen once.
  const known = { ...(m.known ?? {}) };
  const paths = s.incompressiblePaths.map((x) => x.slice(0, PATH_CHARS));
  const novel = paths.filter((x) => known[x] === undefined || now - known[x]! > REARM_AFTER_MS);
  for (const x of paths) known[x] = now;
  m.known = Object.fromEntries(Object.entries(known).filter(([, at]) => now - at <= REARM_AFTER_MS).sort((a, b) => b[1] - a[1]).slice(0, KNOWN_PATHS));
  // Learning, or standing aside, it only watches the pattern; armed, a point with new incompressible files is suspect.
  const judging = m.state === 'armed' || m.state === 'fired';
  const suspect = judging && novel.length > 0;
  if (s.filesJudged >= MIN_JUDGED_FILES && !suspect) m.shares = [...m.shares, s.incompressibleFiles / s.filesJudged].slice(-BASELINE_SIZE);
  if (!suspect) {
    if (m.state !== 'fired') m.state = stateOf(m.shares);
    return null;
  }
  m.suspects = [...m.suspects, { at: now, point, paths: novel.slice(0, PATHS_KEPT), bytes: s.incompressibleBytes }].slice(-120);
  if (m.state === 'fired') return null;
  const inWindow = m.suspects.filter((x) => now - x.at <= SUSPECT_WINDOW_MS);
  // Distinct new files within the window.
  const files = new Set(inWindow.flatMap((x) => x.paths)).size;
  const bytes = inWindow.reduce((n, x) => n + x.bytes, 0);
  if (files < MIN_FILES || bytes < MIN_BYTES) return null;
  // The last clean point is the newest before the first suspect one of this episode (not only of the window).
  const i = before.indexOf(m.suspects[0]!.point);
  const clean = i >= 0 ? before.slice(0, i) : before.filter((p) => !m.suspects.some((x) => x.point === p));
  const lastClean = clean.at(-1) ?? null;
  m.state = 'fired';
  m.firedAt = now;
  m.lastClean = lastClean;
  return { lastClean, hold: clean.slice(-(HELD_BEFORE + 1)), files, bytes, points: inWindow.length };
}

/**
 * While suspects are pending (the tripwire has not fired, but may), the points it would hold: the
 * HELD_BEFORE + 1 before the first suspect. The receiver keeps them from pruning meanwhile, so a
 * fire never names a clean point the retention has already taken.
 */
export function pendingClean(m: Pick<TripwireMemory, 'state' | 'suspects' | 'recent'> | undefined): string[] {
  if (!m || m.state === 'fired' || !m.suspects.length) return [];
  const i = m.recent.indexOf(m.suspects[0]!.point);
  return i > 0 ? m.recent.slice(Math.max(0, i - (HELD_BEFORE + 1)), i) : [];
}

