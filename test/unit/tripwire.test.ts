/**
 * The ransomware tripwire: the send-stream meter reads a real version-1 stream's writes and tells
 * text and base64 attachments from ciphertext, file by file; the detector fires once when many
 * files are rewritten with content that does not compress within a minute, names the last clean
 * point and the points to hold, lets one ever-growing incompressible file be, stands aside for a
 * job whose normal files do not compress, and is armed again after a quiet spell.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SendStreamMeter, MAX_SAMPLED_FILES, type StreamMeasure } from '../../agent/src/send-stream-meter.ts';
import { HELD_BEFORE, MIN_FILES, newTripwireMemory, observePoint, pendingClean, REARM_AFTER_MS } from '../../agent/src/tripwire.ts';
import { pointName } from '../../shared/points.ts';

/** A version-1 send stream, as the kernel writes it: header, then commands of TLV attributes (crc left 0: nothing checks it here). */
function sendStream(writes: Array<[path: string, data: Buffer]>, unlinks = 0): Buffer {
  const tlv = (type: number, data: Buffer) => { const h = Buffer.alloc(4); h.writeUInt16LE(type, 0); h.writeUInt16LE(data.length, 2); return Buffer.concat([h, data]); };
  const cmd = (c: number, attrs: Buffer[]) => { const body = Buffer.concat(attrs); const h = Buffer.alloc(10); h.writeUInt32LE(body.length, 0); h.writeUInt16LE(c, 4); return Buffer.concat([h, body]); };
  const header = Buffer.concat([Buffer.from('btrfs-stream\0', 'latin1'), Buffer.from([1, 0, 0, 0])]);
  const out: Buffer[] = [header];
  for (const [path, data] of writes) {
    out.push(cmd(3, [tlv(15, Buffer.from(path))]));
    for (let o = 0; o < data.length; o += 48 << 10) out.push(cmd(15, [tlv(15, Buffer.from(path)), tlv(18, Buffer.alloc(8)), tlv(19, data.subarray(o, o + (48 << 10)))]));
  }
  for (let i = 0; i < unlinks; i++) out.push(cmd(11, [tlv(15, Buffer.from(`gone-${i}`))]));
  out.push(cmd(21, []));
  return Buffer.concat(out);
}
async function measured(stream: Buffer, judge = true, chunk = 7001): Promise<{ m: StreamMeasure; passed: Buffer }> {
  const meter = new SendStreamMeter(judge);
  const got: Buffer[] = [];
  const parts = Array.from({ length: Math.ceil(stream.length / chunk) }, (_, i) => stream.subarray(i * chunk, (i + 1) * chunk));
  await pipeline(Readable.from(parts), meter, new Writable({ write: (c: Buffer, _e, done) => { got.push(c); done(); } }));
  return { m: meter.measure(), passed: Buffer.concat(got) };
}
const mailText = (n: number, seed: number) => Buffer.from(Array.from({ length: Math.ceil(n / 70) }, (_, i) => `Line ${i} of message ${seed} about the quarterly figures: ${(i * 37 + seed) % 101} units.\r\n`).join('').slice(0, n));

describe('the send-stream meter', () => {
  it('passes the stream on unchanged, and judges each file written by how its new content compresses', async () => {
    const writes: Array<[string, Buffer]> = [
      ...Array.from({ length: 5 }, (_, i) => [`vmail/u${i}/new/m${i}`, mailText(60_000, i)] as [string, Buffer]),
      ['vmail/u9/new/attachment', Buffer.from(randomBytes(90_000).toString('base64'))],
      ['vmail/u9/new/tiny', Buffer.from('hello')],
      ...Array.from({ length: 3 }, (_, i) => [`vmail/u${i}/cur/encrypted${i}`, randomBytes(70_000)] as [string, Buffer]),
    ];
    const stream = sendStream(writes, 2);
    const { m, passed } = await measured(stream);
    expect(passed.equals(stream)).toBe(true);
    expect(m).toEqual({ bytes: stream.length, filesWritten: 10, filesJudged: 9, incompressibleFiles: 3, incompressibleBytes: 210_000, incompressiblePaths: ['vmail/u0/cur/encrypted0', 'vmail/u1/cur/encrypted1', 'vmail/u2/cur/encrypted2'], unlinks: 2, unreadable: false });
  });

  it('only counts a full send, and a stream it does not know (never in its way)', async () => {
    const stream = sendStream([['a', randomBytes(80_000)]]);
    expect((await measured(stream, false)).m).toMatchObject({ bytes: stream.length, filesJudged: 0, unreadable: true });
    const v2 = Buffer.from(stream);
    v2.writeUInt32LE(2, 13);
    const r = await measured(v2);
    expect(r.passed.equals(v2)).toBe(true);
    expect(r.m).toMatchObject({ unreadable: true, filesJudged: 0 });
  });

  it('stops reading (and never buffers) a command longer than a send stream has; leaves empty writes out', async () => {
    const good = sendStream([['a', randomBytes(10_000)]]);
    const huge = Buffer.concat([good.subarray(0, 17), Buffer.from([0xff, 0xff, 0xff, 0xff, 15, 0, 0, 0, 0, 0]), randomBytes(200_000)]);
    const r = await measured(huge);
    expect(r.passed.equals(huge)).toBe(true);
    expect(r.m).toMatchObject({ unreadable: true, filesJudged: 0 });
    const empty = sendStream(Array.from({ length: 50 }, (_, i) => [`e${i}`, Buffer.alloc(0)] as [string, Buffer]));
    expect((await measured(empty)).m).toMatchObject({ filesWritten: 0, unreadable: false });
  });

  it('samples at most a bounded number of files, and counts the writes to the rest', async () => {
    const many = Array.from({ length: MAX_SAMPLED_FILES + 5 }, (_, i) => [`f${i}`, Buffer.from('x'.repeat(5000))] as [string, Buffer]);
    const { m } = await measured(sendStream(many), true, 1 << 20);
    expect([m.filesWritten, m.filesJudged]).toEqual([MAX_SAMPLED_FILES + 5, MAX_SAMPLED_FILES]);
  });
});

describe('the tripwire', () => {
  const t0 = 1_800_000_000_000;
  let serial = 0;
  /** A point with `judged` files, `bad` of them incompressible: new files each time, or `paths` given (the same journal). */
  const point = (judged: number, bad = 0, badBytes = bad * 60_000, paths = Array.from({ length: bad }, () => `vmail/u/new/f${serial++}`)): StreamMeasure => ({ bytes: judged * 60_000, filesWritten: judged, filesJudged: judged, incompressibleFiles: bad, incompressibleBytes: badBytes, incompressiblePaths: paths, unlinks: 0, unreadable: false });
  function feed(m = newTripwireMemory(), samples: StreamMeasure[], from = 0) {
    const fires: Array<{ i: number; fire: NonNullable<ReturnType<typeof observePoint>> }> = [];
    samples.forEach((s, k) => {
      const i = from + k;
      const f = observePoint(m, pointName(i + 1, t0 + i * 1000), s, t0 + i * 1000);
      if (f) fires.push({ i, fire: f });
    });
    return { m, fires };
  }

  it('never fires on an hour of mail beside one journal whose appends do not compress', () => {
    // Ten messages a second, one of them now and then a base64 attachment (compressible), and one journal file of random appends.
    const hour = Array.from({ length: 3600 }, () => point(11, 1, 50_000, ['bench/append.log']));
    const { m, fires } = feed(undefined, hour);
    expect(fires).toEqual([]);
    expect(m.state).toBe('armed');
  });

  it('fires once when many files are rewritten as ciphertext: the last clean point named, it and the ones before it to hold', () => {
    const { m } = feed(undefined, Array.from({ length: 20 }, () => point(10)));
    expect(m.state).toBe('armed');
    // Eight files a point encrypted: the third point passes twenty files.
    const { fires } = feed(m, [point(8, 8), point(8, 8), point(8, 8), point(8, 8)], 20);
    expect(fires.map((f) => f.i)).toEqual([22]);
    const f = fires[0]!.fire;
    expect(f.lastClean).toBe(pointName(20, t0 + 19_000));
    expect(f.hold).toEqual([16, 17, 18, 19].map((i) => pointName(i + 1, t0 + i * 1000)));
    expect(f.hold).toHaveLength(HELD_BEFORE + 1);
    expect([f.files, f.points]).toEqual([24, 3]);
    expect(f.files).toBeGreaterThanOrEqual(MIN_FILES);
    expect([m.state, m.lastClean]).toEqual(['fired', f.lastClean]);
    // Quiet for the re-arm time, then another attack fires again.
    const later = 24 + REARM_AFTER_MS / 1000 + 1;
    expect(feed(m, [point(10)], later).fires).toEqual([]);
    expect(m.state).toBe('armed');
    expect(feed(m, [point(12, 12), point(12, 12)], later + 1).fires.map((x) => x.i)).toEqual([later + 2]);
  });

  it('names the point before an attack that started slowly as the last clean one, and keeps it from pruning meanwhile', () => {
    const { m } = feed(undefined, Array.from({ length: 10 }, () => point(10)));
    // Five files at point 10, nothing for two minutes, then thirty more: the episode began at point 10.
    expect(feed(m, [point(5, 5)], 10).fires).toEqual([]);
    expect(pendingClean(m)).toEqual([6, 7, 8, 9].map((i) => pointName(i + 1, t0 + i * 1000)));
    feed(m, Array.from({ length: 120 }, () => point(10)), 11);
    const { fires } = feed(m, [point(30, 30)], 131);
    expect(fires.map((f) => f.fire.lastClean)).toEqual([pointName(10, t0 + 9000)]);
    expect(pendingClean(m)).toEqual([]);
  });

  it('names the point just before an attack as the last clean one beside a journal that never compresses (a known file is no news)', () => {
    const journal = (judged: number, bad = 0) => ({ ...point(judged, bad), incompressibleFiles: bad + 1, incompressiblePaths: [...point(judged, bad).incompressiblePaths, 'bench/append.log'] });
    const { m } = feed(undefined, Array.from({ length: 200 }, () => journal(11)));
    expect([m.state, m.suspects]).toEqual(['armed', []]);
    const { fires } = feed(m, [journal(11, 12), journal(11, 12)], 200);
    expect(fires.map((f) => [f.i, f.fire.lastClean, f.fire.files])).toEqual([[201, pointName(200, t0 + 199_000), 24]]);
  });

  it('lets fewer files a minute pass, and tiny ones', () => {
    const { m } = feed(undefined, Array.from({ length: 10 }, () => point(10)));
    expect(feed(m, [point(15, 15)], 10).fires).toEqual([]);
    expect(feed(m, [point(15, 15)], 75).fires).toEqual([]);
    // Thirty files, but a few bytes each: under the bytes it takes.
    expect(feed(m, [point(30, 30, 30 * 4096)], 140).fires).toEqual([]);
    expect(m.state).toBe('armed');
  });

  it('learns first, and stands aside where the normal files do not compress (mail compressed at rest)', () => {
    const learning = feed(undefined, [point(10, 10), point(10, 10)]);
    expect([learning.fires, learning.m.state]).toEqual([[], 'learning']);
    const { m, fires } = feed(undefined, Array.from({ length: 30 }, () => point(10, 9)));
    expect(fires).toEqual([]);
    expect(m.state).toBe('stands-aside');
  });
});
