/**
 * The source side, one shipper per target: after each new point, ask the target which
 * points it holds, and send the newest point incrementally from the newest common one
 * (`btrfs send -p`), compressed and paced by the target's schedule, over the chosen path.
 * Any interruption ends the attempt; the next one starts again from the newest common
 * point. A full send happens only when no common point exists, and the log says so.
 */
import { join } from 'node:path';
import { createZstdCompress, constants as zc } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { AgentConfig } from './config.ts';
import type { StateFile, TargetState } from './state.ts';
import { ask, dial, readHeader, watchIdle, type TlsMaterial } from './peer.ts';
import { newestCommon, parsePoint, POINT_IN_TEXT, sortedPoints } from '../../shared/points.ts';
import { listNames, sendStream, volumeStoredBytes } from './btrfs.ts';
import type { OutputStream } from './gathered-stream.ts';
import { Framer } from './frames.ts';
import { Throttle } from './throttle.ts';
import { limitAt, parseSchedule } from '../../shared/schedule.ts';
import { plainMessage } from '../../shared/errors.ts';

type TargetConfig = AgentConfig['targets'][number];

/** The message already begins with the target's name ("MAIL2: …", "MAIL2 says …"). */
const named = (msg: string, name: string) => msg === name || msg.startsWith(`${name}:`) || msg.startsWith(`${name} `);

const counter = (add: (n: number) => void) => new Transform({ transform(chunk: Buffer, _e, done) { add(chunk.length); done(null, chunk); } });

export class Shipper {
  readonly #c: AgentConfig;
  readonly #t: TargetConfig;
  readonly #tls: TlsMaterial;
  readonly #st: StateFile;
  /** The schedule's hourly limits, parsed again only when a reload changed the schedule's text. */
  #limits: { text: string; limits: ReadonlyArray<number | null> } | null = null;
  #wake: (() => void) | null = null;
  #stopped = false;
  /** Points this shipper is about to send or sends from: the snapshotter never prunes them meanwhile. */
  readonly #pinned = new Set<string>();

  /** The `btrfs send` under way, for `stop`. */
  #sending: OutputStream | null = null;

  /** The durable write of the point the target last confirmed, awaited before the next send starts. */
  #confirmed: Promise<void> = Promise.resolve();

  /** Starts the durable write of the state as it is now; the next send awaits it (a failure is seen there, not unhandled here). */
  #writeConfirmed(): void {
    this.#confirmed = this.#st.flushDurably();
    this.#confirmed.catch(() => undefined);
  }

  /** Called once a full send is confirmed: no point was taken while it ran (snapshotter.ts), so one is taken now. */
  readonly #afterFullSend: () => void;

  constructor(c: AgentConfig, t: TargetConfig, tls: TlsMaterial, st: StateFile, afterFullSend: () => void = () => undefined) {
    this.#afterFullSend = afterFullSend;
    this.#c = c;
    this.#t = t;
    this.#tls = tls;
    this.#st = st;
    st.state.targets[t.name] ??= { state: 'connecting', lastPoint: null, lastPointAt: null, lastParent: null, fullSends: 0, sends: 0, bytesRaw: 0, bytesWire: 0, current: null, lastError: null, limitBytesPerSecond: null, lastSend: null, lastFullSend: null };
  }

  /** The limit now: read for every chunk, so a reloaded schedule applies even in the middle of a send. */
  #limitNow(): number | null {
    if (this.#limits?.text !== this.#t.schedule) {
      const sched = parseSchedule(this.#t.schedule);
      this.#limits = { text: this.#t.schedule, limits: sched.ok ? sched.limits : Array(168).fill(null) };
    }
    return limitAt(this.#limits.limits, new Date());
  }

  get ts(): TargetState {
    return this.#st.state.targets[this.#t.name]!;
  }

  /** The points pruning must keep for this shipper now. */
  pinned(): string[] {
    return [...this.#pinned];
  }

  /** A new point exists: ship it when the current send is done. */
  poke(): void {
    this.#wake?.();
  }

  /** Stops after the current round; a send under way is killed at once (it would otherwise run until its next write finds no reader). */
  stop(): void {
    this.#stopped = true;
    this.#sending?.kill();
    this.poke();
  }

  async run(): Promise<void> {
    let backoff = 500;
    while (!this.#stopped) {
      try {
        const shipped = await this.#once();
        backoff = 500;
        if (!shipped) await new Promise<void>((r) => { this.#wake = r; setTimeout(r, 5000); });
        this.#wake = null;
      } catch (e) {
        // A send killed by stop() is no failure to report.
        if (this.#stopped) break;
        // A system error (a cut link, a refused port) in words; the agent's own errors are sentences already.
        const msg = typeof (e as { code?: unknown }).code === 'string' ? `${this.#t.name}: ${plainMessage(e)}` : (e as Error).message;
        // Logged once per kind of failure, not once per point it concerns.
        const kind = (m: string | null) => m?.replace(POINT_IN_TEXT, 'p…');
        if (kind(this.ts.lastError) !== kind(msg)) this.#st.note({ kind: 'replication', action: 'send-failing', peer: this.#t.name, message: `${named(msg, this.#t.name) ? '' : `${this.#t.name}: `}${msg.replace(/\.$/, '')}; trying again` });
        Object.assign(this.ts, { state: 'error', lastError: msg, current: null });
        this.#st.touch();
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(10_000, backoff * 2);
      }
    }
  }

  #peer() {
    return { name: this.#t.name, address: this.#t.address, port: this.#t.port, ...(this.#t.sourceAddress ? { localAddress: this.#t.sourceAddress } : {}) };
  }

  /** Ships the newest point if the target lacks it; false when there was nothing to do. */
  async #once(): Promise<boolean> {
    const local = sortedPoints(await listNames(this.#c.pointsDir)).map((p) => p.name);
    const newest = local.at(-1);
    if (!newest) return false;
    // Pinned before anything is awaited: a point chosen for sending is never pruned under the send.
    this.#pinned.clear();
    this.#pinned.add(newest);
    try {
      return await this.#shipNewest(local, newest);
    } finally {
      this.#pinned.clear();
    }
  }

  async #shipNewest(local: string[], newest: string): Promise<boolean> {
    const there = await ask(this.#tls, this.#c.jobId, this.#peer(), { op: 'points' });
    if (there.error) throw new Error(`${this.#t.name} says: ${String(there.error)}`);
    const remote = (there.points as string[] | undefined) ?? [];
    const parent = newestCommon(local, remote);
    if (parent) this.#pinned.add(parent);
    // The target holds `parent`: a record that lacks it (lost in a crash right after a send) or is older is put right, and
    // on the disk, so pruning keeps that point and a failback knows what diverged.
    const known = this.ts.lastPoint ? parsePoint(this.ts.lastPoint) : null;
    const held = parent ? parsePoint(parent) : null;
    if (held && (!known || held.seq > known.seq)) {
      Object.assign(this.ts, { lastPoint: held.name, lastPointAt: held.at });
      await this.#st.flushDurably();
    }
    if (parent === newest) {
      Object.assign(this.ts, { state: 'idle', lastPoint: newest, lastPointAt: parsePoint(newest)!.at, lastError: null, current: null });
      this.#st.touch();
      return false;
    }
    // The last confirmed point on the disk first (its write began when the target confirmed it). A failed write fails this
    // round and is tried again for the next: no send begins before it has succeeded once.
    try {
      await this.#confirmed;
    } catch (e) {
      this.#writeConfirmed();
      throw e;
    }
    if (!parent) this.#st.note({ kind: 'replication', action: 'full-send', peer: this.#t.name, point: newest, message: `${this.#t.name}: no common point${remote.length ? ` (it holds ${remote.length} points this host no longer has)` : ''}: full send of ${newest}` });
    await this.#send(newest, parent);
    return true;
  }

  async #send(point: string, parent: string | null): Promise<void> {
    const ts = this.ts;
    const cur = { point, parent, startedAt: Date.now(), bytesRaw: 0, bytesWire: 0, estimateBytes: null as number | null };
    // A full send (the initial sync) is estimated beside the send, for progress and an ETA; the send never waits for it.
    if (!parent) void volumeStoredBytes(join(this.#c.pointsDir, point)).then((b) => { cur.estimateBytes = b; }, () => undefined);
    // The last error stays until a send succeeds: a target that keeps failing (a full volume) shows why between attempts and during them.
    Object.assign(ts, { state: 'sending', current: cur });
    this.#st.touch();
    const s = await dial(this.#tls, this.#c.jobId, this.#peer());
    // Stopped while dialing: no send starts after stop().
    if (this.#stopped) return void s.destroy();
    watchIdle(s, `sending ${point} to ${this.#t.name}`);
    let send: OutputStream;
    try {
      send = sendStream(join(this.#c.pointsDir, point), parent ? join(this.#c.pointsDir, parent) : null, this.#c.stateDir);
    } catch (e) {
      // Nothing started (no room for the FIFO, no descriptor left): the connection is let go with it, not left to its idle timeout.
      s.destroy();
      throw e;
    }
    this.#sending = send;
    let err = '';
    try {
      send.stderr.on('data', (d: Buffer) => (err += d));
      s.write(`${JSON.stringify({ op: 'receive', point, parent, compression: this.#t.compression, from: this.#c.host })}\n`);
      const raw = counter((n) => { cur.bytesRaw += n; ts.bytesRaw += n; this.#st.touch(); });
      const wire = counter((n) => { cur.bytesWire += n; ts.bytesWire += n; });
      const throttle = new Throttle(() => (ts.limitBytesPerSecond = this.#limitNow()));
      const level = this.#t.compression === 'strong' ? 9 : 1;
      const stages = this.#t.compression === 'off' ? [] : [createZstdCompress({ params: { [zc.ZSTD_c_compressionLevel]: level } })];
      const answer = readHeader(s);
      // A target that fails mid-stream (a full volume) answers at once: stop sending then, rather than push the rest into a peer that no longer reads.
      const early = new AbortController();
      answer.then((a) => { if (!a.header.ok) early.abort(); }, () => undefined);
      await pipeline([send.stdout, raw, ...stages, wire, throttle, new Framer(), s] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], { end: false, signal: early.signal }).catch(async (e: unknown) => {
        // The target may have stopped reading because it failed (a full volume): its answer says why, better than a broken stream.
        const said = await Promise.race([answer.then((a) => a.header).catch(() => null), new Promise<null>((r) => setTimeout(() => r(null), 2000))]);
        throw said && !said.ok && said.error ? new Error(`${this.#t.name} did not take ${point}: ${String(said.error)}`) : e;
      });
      const code = await send.exited;
      if (code !== 0) throw new Error(`btrfs send of ${point} failed: ${err.trim().split('\n').at(-1) || (code > 128 ? `ended by signal ${code - 128}` : code < 0 ? 'it was stopped' : code === 127 ? 'the btrfs command could not start' : `exit ${code}`)}`);
      const { header } = await answer;
      if (!header.ok) throw new Error(`${this.#t.name} did not take ${point}: ${String(header.error)}`);
      const { estimateBytes: _, ...sendDone } = cur;
      const done = { ...sendDone, endedAt: Date.now() };
      Object.assign(ts, { state: 'idle', lastPoint: point, lastPointAt: parsePoint(point)!.at, lastParent: parent, lastSend: done, lastFullSend: parent ? (ts.lastFullSend ?? null) : done, current: null, lastError: null, sends: ts.sends + 1, fullSends: ts.fullSends + (parent ? 0 : 1) });
      // The confirmed point is what failback starts from: on the disk before the next send begins. Written while the
      // next round asks the target what it holds; that round waits for it before it sends (#shipNewest).
      this.#writeConfirmed();
      if (!parent) this.#afterFullSend();
    } finally {
      send.kill();
      this.#sending = null;
      s.destroy();
    }
  }
}
