/**
 * The target side: answers which points it holds, and receives a point as `btrfs send`
 * data (decompressed here) into `btrfs receive`. A point counts only when receive made it
 * complete (read-only, with its received UUID); a partial one is deleted, never kept.
 */
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { createZstdDecompress } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { Deframer } from './frames.ts';
import { watchIdle } from './peer.ts';
import { mkdir, rename } from 'node:fs/promises';
import type { AgentConfig } from './config.ts';
import type { StateFile } from './state.ts';
import { deleteSubvolume, isCompleteReceive, isWholePoint, listNames, receiveProcess } from './btrfs.ts';
import { divergedAfter, parsePoint, pointsToKeep, sortedPoints } from '../../shared/points.ts';
import { readPhase } from './monitor/phase.ts';
import { addHolds, readHolds } from './holds.ts';
import { MAX_TRIPWIRE_HOLDS, newTripwireMemory, observePoint, pendingClean, type TripwireFire } from './tripwire.ts';
import { plainMessage } from '../../shared/errors.ts';
import { SendStreamMeter, type StreamMeasure } from './send-stream-meter.ts';
import { OneAtATime } from './one-at-a-time.ts';

/**
 * Complete points only; partial receives found here are removed (at start and before each
 * receive). A received point never changes, so once seen complete it is not asked again.
 */
export async function receivedPoints(dir: string, removePartial: boolean, known: Set<string> = new Set()): Promise<string[]> {
  const out: string[] = [];
  const names = await listNames(dir);
  for (const n of [...known]) if (!names.includes(n)) known.delete(n);
  for (const n of names) {
    if (!parsePoint(n)) continue;
    if (known.has(n) || await isWholePoint(join(dir, n))) {
      known.add(n);
      out.push(n);
    } else if (removePartial) await deleteSubvolume(join(dir, n)).catch(() => undefined);
  }
  return sortedPoints(out).map((p) => p.name);
}

/** How long a receive request waits for the one before it (its pruning, usually) before it is refused as busy. */
export const BUSY_WAIT_MS = 5_000;

export class Receiver {
  readonly #c: AgentConfig;
  readonly #st: StateFile;
  readonly #sender: () => string | null;
  /** A receive under way, its pruning included. */
  readonly #turn = new OneAtATime();
  readonly #complete = new Set<string>();
  /** `sender`: the one host that may send points here now (the job's source, or the standby the witness named after a failover). */
  readonly #onTripwire: (f: TripwireFire, holdError: string | null) => void;
  constructor(c: AgentConfig, st: StateFile, sender: () => string | null = () => c.monitor?.source?.name ?? null, onTripwire: (f: TripwireFire, holdError: string | null) => void = () => undefined) {
    this.#c = c;
    this.#st = st;
    this.#sender = sender;
    this.#onTripwire = onTripwire;
  }

  async start(): Promise<void> {
    await mkdir(this.#c.receiveDir, { recursive: true });
    const pts = await receivedPoints(this.#c.receiveDir, true, this.#complete);
    this.#record(pts, null);
  }

  #record(pts: string[], from: string | null): void {
    const newest = pts.at(-1) ?? null;
    this.#st.state.points = pts;
    // Sizes of points no longer here are forgotten with them.
    this.#st.state.pointBytes = Object.fromEntries(Object.entries(this.#st.state.pointBytes ?? {}).filter(([p]) => pts.includes(p)));
    this.#st.state.received = { count: pts.length, newest, newestAt: newest ? parsePoint(newest)!.at : null, lastFrom: from ?? this.#st.state.received?.lastFrom ?? null };
    this.#st.touch();
  }

  /** One exchange from a peer of the job; `from` is the name its certificate gives. Only the job's current source may send or list points. */
  async handle(s: TLSSocket, from: string | null, header: Record<string, unknown>, rest: Buffer): Promise<void> {
    const reply = (r: Record<string, unknown>) => s.end(`${JSON.stringify(r)}\n`);
    // The source asks for the next point as soon as this one is confirmed, often while its pruning still runs: it waits
    // for that a moment rather than being refused (and backing off) for housekeeping. Every check below comes after the wait.
    if (header.op === 'receive' && from !== null && from === this.#sender()) {
      await this.#turn.waitTurn(BUSY_WAIT_MS);
      // A source that gave up meanwhile is not answered; its receive must not start on a closed socket and hold the turn.
      if (s.destroyed) return;
    }
    const source = this.#sender();
    if (!source || from !== source) {
      this.#st.note({ kind: 'replication', action: 'refused', ...(from ? { peer: from } : {}), message: `refused ${String(header.op)} from ${from ?? 'a peer without a name'}: only ${source ?? 'the job\'s source'} sends points here` });
      return void reply({ error: `${this.#c.host} takes points only from ${source ?? 'the job\'s source'}, not from ${from ?? 'an unnamed peer'}` });
    }
    const phase = readPhase(this.#c.stateDir);
    // A target that has taken over serves its own data now; nothing from the old source may overwrite its view.
    if (phase && header.op === 'receive') return void reply({ error: `${this.#c.host} has taken over (${phase.phase}); replication from the old source waits for failback` });
    if (header.op === 'points') return void reply({ points: await receivedPoints(this.#c.receiveDir, false, this.#complete) });
    if (header.op !== 'receive') return void reply({ error: `unknown request ${String(header.op)}` });
    const point = String(header.point);
    const parent = header.parent === null ? null : String(header.parent);
    if (!parsePoint(point) || (parent !== null && !parsePoint(parent))) return void reply({ error: 'not a point name' });
    if (!this.#turn.take()) return void reply({ error: 'busy receiving another point' });
    // A source that loses power mid-send never closes: without this the target would stay busy forever.
    watchIdle(s, `receiving ${point} from ${from}`);
    const dest = join(this.#c.receiveDir, point);
    let err = '';
    try {
      const have = await receivedPoints(this.#c.receiveDir, true, this.#complete);
      if (have.includes(point)) return void reply({ ok: true, already: true });
      if (parent && !have.includes(parent)) return void reply({ error: `the parent ${parent} is not here`, points: have });
      const recv = receiveProcess(this.#c.receiveDir);
      recv.stderr!.on('data', (d: Buffer) => (err += d));
      const exit = new Promise<number>((r) => recv.on('close', (code) => r(code ?? -1)));
      const frames = new Deframer();
      const input = new PassThrough();
      // The stream's own bytes (after decompression): the point's size as `points` shows it, and how well they compress (the tripwire).
      const counted = new SendStreamMeter(parent !== null);
      // How far the stream has come, for a person and for a wait bounded by progress (the failback's `synced`).
      const progress = { point, from, bytes: rest.length, lastAt: Date.now() };
      this.#st.state.receiving = progress;
      s.on('data', (d: Buffer) => { progress.bytes += d.length; progress.lastAt = Date.now(); this.#st.touch(); });
      input.write(rest);
      s.pipe(input);
      // The end frame ends the data; the socket stays open for the answer.
      frames.once('frames-end', () => { s.unpipe(input); input.end(); });
      try {
        if (header.compression === 'off') await pipeline(input, frames, counted, recv.stdin!);
        else await pipeline(input, frames, createZstdDecompress(), counted, recv.stdin!);
      } catch (e) {
        // `btrfs receive -e` exits at the stream's end marker, possibly before the last frames (zstd's
        // epilogue, the end frame) arrive or Node sees its stdin finish. Exit 0 then means the point is
        // whole (checked below); anything else is a failure, judged on its whole stderr.
        const code = (e as NodeJS.ErrnoException).code;
        const settled = await Promise.race([exit, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
        if (!((code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'EPIPE') && settled === 0)) {
          recv.kill('SIGKILL');
          await exit;
          throw e;
        }
        // Whatever is still on its way is read and dropped.
        s.unpipe(input);
        s.resume();
      }
      const code = await exit;
      if (code !== 0 || !(await isCompleteReceive(dest))) throw new Error(`btrfs receive ended with ${code}: ${err.trim().split('\n').at(-1) ?? ''}`);
      this.#complete.add(point);
      const measure = counted.measure();
      this.#st.state.pointBytes = { ...this.#st.state.pointBytes, [point]: measure.bytes };
      this.#tripwire(point, measure);
      // Answer first: pruning old points must not hold up the source.
      reply({ ok: true });
      if (!parent) this.#st.note({ kind: 'replication', action: 'received-full', point, ...(from ? { peer: from } : {}), message: `received ${point} (full)` });
      // The point is confirmed now: nothing after this may remove it (the source sends from it next, and failback starts there).
      await this.#afterConfirmed(point, from).catch((e: unknown) => this.#st.note({ kind: 'agent', action: 'error', message: `after receiving ${point}: ${plainMessage(e)}` }));
    } catch (e) {
      await deleteSubvolume(dest).catch(() => undefined);
      // A full volume is the one failure a person must act on here: say so in plain words (the partial point is gone, the older ones are whole).
      const full = /No space left on device/i.test(err) || (e as NodeJS.ErrnoException).code === 'ENOSPC';
      const why = full ? `the volume of ${this.#c.receiveDir} on ${this.#c.host} is full; free space there or keep fewer points, and replication goes on by itself` : (e as Error).message;
      this.#st.note({ kind: 'replication', action: 'receive-failed', point, ...(from ? { peer: from } : {}), message: `receiving ${point} failed: ${why}` });
      // Whatever the source still sends is read and dropped, so it is never left blocked on a full socket.
      s.unpipe();
      s.resume();
      if (!s.destroyed) reply({ error: why, ...(full ? { code: 'target-full' } : {}) });
    } finally {
      this.#turn.release();
      this.#st.state.receiving = null;
      this.#st.touch();
    }
  }

  /** A confirmed point's housekeeping: newer points set aside, the state said, old points pruned. */
  async #afterConfirmed(point: string, from: string | null): Promise<void> {
    await this.#setAsideDiverged(point, from);
    // Said at once, before pruning (a process per old point): the state is what the dashboard, the RPO watch and a
    // failover read, and a touch alone would write it up to 200 ms later.
    const pts = await receivedPoints(this.#c.receiveDir, false, this.#complete);
    this.#record(pts, from);
    await this.#st.save();
    this.#record(await this.#prune(point, pts), from);
  }

  /** The tripwire judges the point; when it fires, the points before the anomaly are held before anything is pruned, then the alert goes out. */
  #tripwire(point: string, sample: StreamMeasure): void {
    try {
      const memory = this.#st.state.tripwire ?? newTripwireMemory();
      const fire = observePoint(memory, point, sample, Date.now());
      this.#st.state.tripwire = memory;
      if (!fire) return;
      const when = new Date(memory.firedAt!).toISOString();
      // Only points still here can be held; the alert goes out whatever happens to the hold (a full disk is likely now).
      const here = new Set(this.#st.state.points);
      const hold = fire.hold.filter((p) => here.has(p));
      let holdError: string | null = null;
      // A source that sets it off again and again must not fill this volume with held points.
      const already = (readHolds(this.#c.stateDir) ?? []).filter((h) => h.reason.startsWith('the tripwire fired')).length;
      try {
        if (already >= MAX_TRIPWIRE_HOLDS) holdError = `the tripwire already holds ${already} points from earlier fires; release those it no longer needs`;
        else if (hold.length) addHolds(this.#c.stateDir, hold, `the tripwire fired at ${when}: kept from before the changes that do not compress`);
      } catch (e) {
        holdError = plainMessage(e);
      }
      // Said at once in the state (the state's list is otherwise refreshed each second).
      this.#st.state.held = readHolds(this.#c.stateDir) ?? this.#st.state.held;
      this.#onTripwire({ ...fire, hold, lastClean: fire.lastClean && here.has(fire.lastClean) ? fire.lastClean : hold.at(-1) ?? null }, holdError);
    } catch (e) {
      this.#st.note({ kind: 'agent', action: 'error', message: `tripwire: ${(e as Error).message}` });
    }
  }

  /** Points newer than the one just received are on no line its sender has: renamed diverged-…, kept for a person, never promoted. */
  async #setAsideDiverged(point: string, from: string | null): Promise<void> {
    const diverged = divergedAfter(await receivedPoints(this.#c.receiveDir, false, this.#complete), point);
    const moved: string[] = [];
    for (const d of diverged) {
      try {
        await rename(join(this.#c.receiveDir, d), join(this.#c.receiveDir, `diverged-${d}`));
        this.#complete.delete(d);
        moved.push(d);
      } catch (e) {
        this.#st.note({ kind: 'replication', action: 'set-aside', point: d, message: `could not set aside ${d} (newer than ${point}, which ${from ?? 'its sender'} sent): ${(e as Error).message}` });
      }
    }
    if (moved.length) this.#st.note({ kind: 'replication', action: 'set-aside', point, message: `set aside ${moved.length} point(s) newer than ${point} that ${from ?? 'its sender'} never had (diverged-${moved[0]}…): kept, never promoted` });
  }

  /** Keeps what the retention says, always the newest point (the parent of the next send), and every held point; `pts` are the complete points here, as just read. */
  async #prune(newest: string, pts: string[]): Promise<string[]> {
    const holds = readHolds(this.#c.stateDir);
    // Unreadable holds hold everything: a lost hold could delete the only clean copy.
    if (holds === null) return pts;
    // While the tripwire has suspects pending, the points before the first of them (the clean ones it would hold) stay too.
    const keep = pointsToKeep(pts, this.#c.retention, Date.now(), new Set([newest, ...holds.map((h) => h.point), ...pendingClean(this.#st.state.tripwire)]));
    for (const p of pts) if (!keep.has(p)) await deleteSubvolume(join(this.#c.receiveDir, p)).catch(() => undefined);
    return pts.filter((p) => keep.has(p));
  }
}
