/**
 * The ransomware tripwire, on each standby: every point it receives is a send stream of what
 * changed, and how well that compresses tells text from ciphertext. Mail is text — even an
 * attachment that is already compressed is stored base64-encoded, which zstd still takes to
 * about three quarters — while a file encrypted in place is random bytes, which do not compress
 * at all. So a point whose changed bytes barely compress is suspect, and when suspect points
 * carry more than MIN_SUSPECT_BYTES within SUSPECT_WINDOW_MS, the tripwire fires: a critical
 * alert, and the points from before the first suspect one are held from pruning until a person
 * releases them, the newest of them marked as the last clean point (what a point-in-time
 * failover should bring up).
 *
 * The trade-off: a site whose normal changes do not compress (Dovecot's own mail compression, or
 * encryption at rest) would look suspect all the time, so the tripwire judges against the job's
 * own pattern — it learns from the first LEARN_POINTS points large enough to judge, and stands
 * aside while the typical point (the median of the last BASELINE_SIZE such points) is itself past
 * SUSPECT_RATIO, and says so. A user who receives
 * a few megabytes of raw binary outside MIME (which no mail server stores) would set it off;
 * smaller bursts of incompressible change than MIN_SUSPECT_BYTES never do, so a tripwire this
 * size misses an attack that encrypts less than that a minute.
 */
import { Transform } from 'node:stream';
import { zstdCompressSync, constants as zc } from 'node:zlib';

/** Compressed size over original size at or above which a point's changes count as ciphertext. */
export const SUSPECT_RATIO = 0.9;
/** Suspect points must carry this many stream bytes within the window to fire. */
export const MIN_SUSPECT_BYTES = 1 << 20;
export const SUSPECT_WINDOW_MS = 60_000;
/** A point needs this many sampled bytes to be judged at all (a few small files say nothing). */
export const MIN_SAMPLE_BYTES = 16 << 10;
/** Points whose ratio makes the baseline (the job's normal pattern). */
export const BASELINE_SIZE = 50;
/** Points large enough to judge that it learns from before it judges any (a job attacked before that goes unnoticed). */
export const LEARN_POINTS = 5;
/** After a fire, the tripwire is armed again once no suspect point came for this long. */
export const REARM_AFTER_MS = 10 * 60_000;
/** The points held when it fires: the last clean one and this many before it. */
export const HELD_BEFORE = 3;

/** Samples a stream's compressibility: one block in every SAMPLE_EVERY is compressed (zstd, fastest level) and measured. */
const BLOCK = 64 << 10;
const SAMPLE_EVERY = 4;

export interface Sample { bytes: number; sampledIn: number; sampledOut: number }

/** A pass-through that measures what it carries: its size, and how well a sample of it compresses. */
export class CompressibilitySampler extends Transform {
  readonly sample: Sample = { bytes: 0, sampledIn: 0, sampledOut: 0 };
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #block = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, data?: Buffer) => void): void {
    this.sample.bytes += chunk.length;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    while (this.#pendingBytes >= BLOCK) this.#takeBlock();
    done(null, chunk);
  }

  override _flush(done: (e?: Error | null) => void): void {
    if (this.#pendingBytes >= 4096) this.#takeBlock();
    done();
  }

  #takeBlock(): void {
    const all = Buffer.concat(this.#pending);
    const block = all.subarray(0, BLOCK);
    const rest = all.subarray(BLOCK);
    this.#pending = rest.length ? [rest] : [];
    this.#pendingBytes = rest.length;
    if (this.#block++ % SAMPLE_EVERY !== 0) return;
    this.sample.sampledIn += block.length;
    this.sample.sampledOut += zstdCompressSync(block, { params: { [zc.ZSTD_c_compressionLevel]: 1 } }).length;
  }
}

export type TripwireState = 'learning' | 'armed' | 'fired' | 'stands-aside';

/** What the tripwire remembers between points (kept in the agent's state, so a restart keeps it). */
export interface TripwireMemory {
  state: TripwireState;
  /** Ratios of the last points large enough to judge (the baseline is their median). */
  ratios: number[];
  /** Suspect points lately: when, which, how many stream bytes. */
  suspects: Array<{ at: number; point: string; bytes: number }>;
  /** The newest point received that was not suspect. */
  lastCleanSeen: string | null;
  /** The points received lately, oldest first (to find the ones before an anomaly). */
  recent: string[];
  firedAt: number | null;
  /** The newest clean point when it fired: the one to fail over or rehearse to. */
  lastClean: string | null;
}

export const newTripwireMemory = (): TripwireMemory => ({ state: 'learning', ratios: [], suspects: [], lastCleanSeen: null, recent: [], firedAt: null, lastClean: null });

const median = (xs: readonly number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)]! : NaN; };

export interface TripwireFire { lastClean: string | null; hold: string[]; suspectBytes: number; suspectPoints: number; ratio: number }

/**
 * One received point, judged. Returns the fire when this point sets the tripwire off (once per
 * episode). `m` is updated in place. Pure: the time is given.
 */
export function observePoint(m: TripwireMemory, point: string, s: Sample, now: number): TripwireFire | null {
  const judged = s.sampledIn >= MIN_SAMPLE_BYTES;
  const ratio = judged ? s.sampledOut / s.sampledIn : NaN;
  const baseline = median(m.ratios);
  // It learns the job's pattern from its first LEARN_POINTS points large enough to judge, and judges none of them.
  const learning = m.ratios.length < LEARN_POINTS;
  // A job whose normal changes do not compress cannot be judged this way.
  const standsAside = !learning && baseline >= SUSPECT_RATIO;
  const suspect = judged && !learning && !standsAside && ratio >= SUSPECT_RATIO;
  const before = m.recent.slice();
  m.recent = [...m.recent, point].slice(-(HELD_BEFORE + 64));
  if (m.state === 'fired' && m.firedAt !== null && now - Math.max(m.firedAt, ...m.suspects.map((x) => x.at)) > REARM_AFTER_MS) {
    m.state = 'armed';
    m.firedAt = null;
    m.suspects = [];
  }
  m.suspects = m.suspects.filter((x) => now - x.at <= SUSPECT_WINDOW_MS || m.state === 'fired');
  if (!suspect) {
    if (judged) m.ratios = [...m.ratios, ratio].slice(-BASELINE_SIZE);
    m.lastCleanSeen = point;
    if (m.state !== 'fired') m.state = m.ratios.length < LEARN_POINTS ? 'learning' : median(m.ratios) >= SUSPECT_RATIO ? 'stands-aside' : 'armed';
    return null;
  }
  m.suspects = [...m.suspects, { at: now, point, bytes: s.bytes }];
  if (m.state === 'fired') return null;
  const inWindow = m.suspects.filter((x) => now - x.at <= SUSPECT_WINDOW_MS);
  const bytes = inWindow.reduce((n, x) => n + x.bytes, 0);
  if (bytes < MIN_SUSPECT_BYTES) return null;
  // The last clean point is the newest before the first suspect one of this episode.
  const first = inWindow[0]!.point;
  const i = before.indexOf(first);
  const clean = (i >= 0 ? before.slice(0, i) : before.filter((p) => !m.suspects.some((x) => x.point === p)));
  const lastClean = clean.at(-1) ?? (m.lastCleanSeen !== first ? m.lastCleanSeen : null);
  m.state = 'fired';
  m.firedAt = now;
  m.lastClean = lastClean;
  const hold = clean.slice(-(HELD_BEFORE + 1));
  return { lastClean, hold: lastClean && !hold.includes(lastClean) ? [...hold, lastClean] : hold, suspectBytes: bytes, suspectPoints: inWindow.length, ratio: inWindow.length ? ratio : NaN };
}
