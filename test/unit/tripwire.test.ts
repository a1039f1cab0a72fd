/**
 * The ransomware tripwire: the sampler tells text (and base64 attachments) from ciphertext by how
 * they compress; the detector fires once when enough changes that do not compress arrive within a
 * minute, names the last clean point and the points to hold, stands aside for a job whose normal
 * changes do not compress, and is armed again after a quiet spell.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CompressibilitySampler, HELD_BEFORE, MIN_SUSPECT_BYTES, newTripwireMemory, observePoint, REARM_AFTER_MS, type Sample } from '../../agent/src/tripwire.ts';
import { pointName } from '../../shared/points.ts';

async function sampled(data: Buffer): Promise<Sample> {
  const s = new CompressibilitySampler();
  await pipeline(Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), s, new Writable({ write: (_c, _e, done) => done() }));
  return s.sample;
}
const mailText = (n: number) => Buffer.from(Array.from({ length: Math.ceil(n / 60) }, (_, i) => `Line ${i} of a message about the quarterly figures, ${i * 7 % 13} items.\r\n`).join('').slice(0, n));
const ratio = (s: Sample) => s.sampledOut / s.sampledIn;

describe('the compressibility sampler', () => {
  it('counts every byte, and measures text, base64 attachments and ciphertext apart', async () => {
    const text = await sampled(mailText(2_000_000));
    const b64 = await sampled(Buffer.from(randomBytes(1_500_000).toString('base64')));
    const cipher = await sampled(randomBytes(2_000_000));
    expect([text.bytes, cipher.bytes]).toEqual([2_000_000, 2_000_000]);
    expect(text.sampledIn).toBeGreaterThan(400_000);
    expect(ratio(text)).toBeLessThan(0.3);
    expect(ratio(b64)).toBeGreaterThan(0.6);
    expect(ratio(b64)).toBeLessThan(0.85);
    expect(ratio(cipher)).toBeGreaterThan(0.99);
  });
});

describe('the tripwire', () => {
  const t0 = 1_800_000_000_000;
  const sample = (bytes: number, r: number): Sample => ({ bytes, sampledIn: Math.floor(bytes / 4), sampledOut: Math.floor((bytes / 4) * r) });
  /** Feeds points one a second from `from`; returns the fires, by point index. */
  function feed(m = newTripwireMemory(), samples: Sample[], from = 0) {
    const fires: Array<{ i: number; fire: NonNullable<ReturnType<typeof observePoint>> }> = [];
    samples.forEach((s, k) => {
      const i = from + k;
      const f = observePoint(m, pointName(i + 1, t0 + i * 1000), s, t0 + i * 1000);
      if (f) fires.push({ i, fire: f });
    });
    return { m, fires };
  }

  it('never fires on an hour of mail: text, and base64 attachments of compressed files', () => {
    const hour = Array.from({ length: 3600 }, (_, i) => (i % 97 === 0 ? sample(4_000_000, 0.77) : i % 5 === 0 ? sample(200_000 + (i % 7) * 50_000, 0.3) : sample(3_000, 0.4)));
    const { m, fires } = feed(undefined, hour);
    expect(fires).toEqual([]);
    expect(m.state).toBe('armed');
  });

  it('fires once when encrypted files arrive: the last clean point named, it and the ones before it to hold', () => {
    const { m } = feed(undefined, Array.from({ length: 20 }, () => sample(100_000, 0.3)));
    // Three points of ciphertext, 500 kB each: the third passes the threshold.
    const { fires } = feed(m, [sample(500_000, 1.0), sample(500_000, 1.0), sample(500_000, 1.0), sample(500_000, 1.0)], 20);
    expect(fires.map((f) => f.i)).toEqual([22]);
    const f = fires[0]!.fire;
    expect(f.lastClean).toBe(pointName(20, t0 + 19_000));
    expect(f.hold).toEqual([16, 17, 18, 19].map((i) => pointName(i + 1, t0 + i * 1000)));
    expect(f.hold).toHaveLength(HELD_BEFORE + 1);
    expect(f.suspectBytes).toBeGreaterThanOrEqual(MIN_SUSPECT_BYTES);
    expect([m.state, m.lastClean]).toEqual(['fired', f.lastClean]);
    // Quiet for the re-arm time, then another attack fires again.
    const later = 24 + REARM_AFTER_MS / 1000 + 1;
    expect(feed(m, [sample(100_000, 0.3)], later).fires).toEqual([]);
    expect(m.state).toBe('armed');
    expect(feed(m, [sample(600_000, 1.0), sample(600_000, 1.0)], later + 1).fires.map((x) => x.i)).toEqual([later + 2]);
  });

  it('lets smaller bursts pass, and spreads over a minute at most', () => {
    const { m } = feed(undefined, Array.from({ length: 10 }, () => sample(100_000, 0.3)));
    // 900 kB of ciphertext, then more only after the minute has passed: never 1 MiB within a minute.
    expect(feed(m, [sample(900_000, 1.0)], 10).fires).toEqual([]);
    expect(feed(m, [sample(900_000, 1.0)], 75).fires).toEqual([]);
    expect(m.state).toBe('armed');
  });

  it('stands aside where the normal changes do not compress (mail compressed at rest), and says so', () => {
    const { m, fires } = feed(undefined, Array.from({ length: 30 }, () => sample(2_000_000, 0.97)));
    expect(fires).toEqual([]);
    expect(m.state).toBe('stands-aside');
  });
});
