import { describe, expect, it } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Deframer, Framer } from '../../agent/src/frames.ts';
import { divergedAfter, newestCommon, parsePoint, pointName, pointsToKeep, sortedPoints } from '../../shared/points.ts';
import { prunableAfter } from '../../agent/src/follow.ts';
import { inInitialSync } from '../../agent/src/snapshotter.ts';

const H = 3_600_000;
const t0 = Date.UTC(2026, 10, 30, 0, 0, 0);

describe('consistency point names and retention', () => {
  it('orders by sequence and ignores anything that is not a point', () => {
    const names = [pointName(10, t0 + 10), 'check-x', pointName(2, t0 + 2), pointName(9, t0 + 9)];
    expect(sortedPoints(names).map((p) => p.seq)).toEqual([2, 9, 10]);
    expect(parsePoint('p123')).toBeNull();
  });

  it('finds the newest point both sides hold (the parent of the next send)', () => {
    const a = [1, 2, 3, 4].map((i) => pointName(i, t0 + i));
    expect(newestCommon(a, [a[0]!, a[2]!])).toBe(a[2]);
    expect(newestCommon(a, [])).toBeNull();
    expect(newestCommon(a, [pointName(99, t0)])).toBeNull();
  });

  it('orders equal sequence numbers by time (the old source\'s point before the new source\'s)', () => {
    const old = pointName(5, t0 + 5);
    const next = pointName(5, t0 + 60_000);
    expect(sortedPoints([next, old, pointName(4, t0)]).map((p) => p.name)).toEqual([pointName(4, t0), old, next]);
  });

  it('after a point arrives, the points here newer than it are the diverged ones, whatever their numbers', () => {
    // MAIL2 had received p5 and p6 from MAIL1; MAIL3 took over from p4 and sends its own p5 (later).
    const here = [3, 4, 5, 6].map((i) => pointName(i, t0 + i));
    const fromNewSource = pointName(5, t0 + 3_600_000);
    expect(divergedAfter([...here, fromNewSource], fromNewSource)).toEqual([pointName(6, t0 + 6)]);
    // The old p5 is older than what arrived: it stays, is never the newest, and is no parent (the sender never had it).
    expect(sortedPoints([...here.slice(0, 3), fromNewSource]).at(-1)!.name).toBe(fromNewSource);
    expect(newestCommon([here[0]!, here[1]!, fromNewSource], [...here.slice(0, 3), fromNewSource])).toBe(fromNewSource);
    // In steady replication nothing is newer than what the source sends.
    expect(divergedAfter(here, here[3]!)).toEqual([]);
    expect(divergedAfter(here, 'not-a-point')).toEqual([]);
  });

  it('a standby that took over prunes only its own points, never those it received (failback starts from them)', () => {
    const promoted = pointName(7, t0 + 7);
    const mayPrune = prunableAfter(promoted);
    expect([pointName(3, t0 + 3), promoted, pointName(8, t0 + 8), pointName(7, t0 + 99), 'diverged-x'].map(mayPrune)).toEqual([false, false, true, true, false]);
  });

  it('keeps the newest N, one per hour for the given hours, and every protected point', () => {
    const pts = Array.from({ length: 48 * 4 }, (_, i) => pointName(i + 1, t0 + i * 15 * 60_000)); // every 15 minutes for two days
    const now = t0 + 48 * H;
    const keep = pointsToKeep(pts, { last: 3, hourlyForHours: 6 }, now, new Set([pts[0]!]));
    expect(pts.slice(-3).every((p) => keep.has(p))).toBe(true);
    expect(keep.has(pts[0]!)).toBe(true);
    const hourly = [...keep].filter((p) => !pts.slice(-3).includes(p) && p !== pts[0]);
    expect(hourly.length).toBeGreaterThanOrEqual(5);
    expect(hourly.length).toBeLessThanOrEqual(7);
    expect(hourly.every((p) => now - parsePoint(p)!.at <= 6 * H)).toBe(true);
    expect(keep.size).toBeLessThan(pts.length / 10);
  });
});

describe('frames carry a stream and say where it ends', () => {
  it('round-trips any bytes, and stops at the end frame', async () => {
    const data = Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 7) % 251));
    // Each push as it leaves (read() would join what is buffered); an empty chunk adds no frame (an empty one would end the stream).
    const framed: Buffer[] = [];
    await pipeline(Readable.from([data.subarray(0, 100), Buffer.alloc(0), data.subarray(100)]), new Framer(), new Writable({ write(c: Buffer, _e, done) { framed.push(c); done(); } }));
    const wire = Buffer.concat([...framed, Buffer.from('next request\n')]);
    const d = new Deframer();
    const got: Buffer[] = [];
    d.on('data', (c: Buffer) => got.push(c));
    const ended = new Promise((r) => d.once('frames-end', r));
    // Arrives in odd-sized pieces, as TCP would deliver it.
    for (let i = 0; i < wire.length; i += 65_537) d.write(wire.subarray(i, i + 65_537));
    await ended;
    expect(Buffer.concat(got).equals(data)).toBe(true);
    // Each frame leaves as one buffer, its length first (a prefix pushed apart was a TLS record and a socket write of its own):
    // 100 bytes, then 2,999,900 in frames of at most 1 MiB, then the end frame.
    expect(framed.map((f) => [f.length, f.readUInt32BE(0)])).toEqual([[104, 100], [4 + 2 ** 20, 2 ** 20], [4 + 2 ** 20, 2 ** 20], [4 + 2_999_900 - 2 ** 21, 2_999_900 - 2 ** 21], [4, 0]]);
  });

  it('reads frames whose length prefixes and data are split anywhere, passes what follows the end frame on, and refuses an oversized frame', async () => {
    const frame = (b: Buffer) => { const h = Buffer.alloc(4); h.writeUInt32BE(b.length); return Buffer.concat([h, b]); };
    const parts = [Buffer.from('first'), Buffer.alloc(70_000, 7), Buffer.from('x')];
    const wire = Buffer.concat([...parts.map(frame), Buffer.alloc(4), Buffer.from('next\n')]);
    for (const size of [1, 2, 3, 5, 4096]) {
      const d = new Deframer();
      const got: Buffer[] = [];
      d.on('data', (c: Buffer) => got.push(Buffer.from(c)));
      let ends = 0;
      d.on('frames-end', () => ends++);
      const leftovers: Buffer[] = [];
      for (let i = 0; i < wire.length; i += size) { d.write(wire.subarray(i, i + size)); if (ends && !leftovers.length) leftovers.push(d.leftover); }
      await new Promise((r) => setImmediate(r));
      expect(ends).toBe(1);
      expect(Buffer.concat(got).equals(Buffer.concat(parts))).toBe(true);
      // Only the bytes of the chunk that held the end frame are kept; later chunks are the caller's (it stops reading).
      expect(Buffer.from('next\n').subarray(0, leftovers[0]!.length).equals(leftovers[0]!)).toBe(true);
      if (size === 4096) expect(leftovers[0]!.toString()).toBe('next\n');
    }
    // A frame's data flows on as it comes, before the frame is whole.
    const early = new Deframer();
    const seen: Buffer[] = [];
    early.on('data', (c: Buffer) => seen.push(c));
    early.write(frame(Buffer.alloc(70_000, 1)).subarray(0, 30_004));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(seen).length).toBe(30_000);
    // Input cut before the end frame, mid-frame or between frames, fails: it is never taken for a whole stream.
    for (const cut of [frame(Buffer.alloc(70_000, 1)).subarray(0, 30_004), frame(Buffer.from('whole')), Buffer.from([0, 0])]) {
      const d = new Deframer();
      d.resume();
      const failedCut = new Promise<Error>((r) => d.once('error', r));
      d.end(cut);
      expect((await failedCut).message).toMatch(/ended before its end frame/);
    }
    const big = new Deframer();
    const failed = new Promise<Error>((r) => big.once('error', r));
    const h = Buffer.alloc(4);
    h.writeUInt32BE((1 << 20) + 1);
    big.write(h);
    expect((await failed).message).toMatch(/larger than the protocol allows/);
  });
});

describe('points while the initial sync runs', () => {
  const full = { current: { parent: null } };
  const incremental = { current: { parent: 'p0000000001-1' } };
  const idle = { current: null };
  it('are not taken while every target takes a full send, and are once any target is free or sends incrementally', () => {
    const two = [{ name: 'MAIL2' }, { name: 'MAIL3' }];
    expect(inInitialSync(two, { MAIL2: full, MAIL3: full })).toBe(true);
    expect(inInitialSync(two, { MAIL2: full, MAIL3: idle })).toBe(false);
    expect(inInitialSync(two, { MAIL2: full, MAIL3: incremental })).toBe(false);
    expect(inInitialSync(two, { MAIL2: full })).toBe(false);
    expect(inInitialSync([{ name: 'MAIL2' }], { MAIL2: idle })).toBe(false);
    expect(inInitialSync([{ name: 'MAIL2' }], { MAIL2: full })).toBe(true);
    // A former target's entry kept in the state does not count; no target at all is no sync.
    expect(inInitialSync([{ name: 'MAIL3' }], { MAIL2: full, MAIL3: idle })).toBe(false);
    expect(inInitialSync([], { MAIL2: full })).toBe(false);
  });
});
