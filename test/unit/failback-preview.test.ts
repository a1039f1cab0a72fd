/** The failback's preview: the parent both hosts hold, the extents a metadata-only send lists, and the time at the job's schedule. */
import { describe, expect, it } from 'vitest';
import { ExtentCounter } from '../../agent/src/changed-since.ts';
import { parentOf, timeBack } from '../../electron/failover/failback-preview.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import type { AgentState } from '../../shared/agent-state.ts';

/** A version-1 `--no-data` stream: header, then UPDATE_EXTENT commands (PATH, FILE_OFFSET, SIZE) among others. */
function noDataStream(sizes: number[]): Buffer {
  const tlv = (type: number, data: Buffer) => { const h = Buffer.alloc(4); h.writeUInt16LE(type, 0); h.writeUInt16LE(data.length, 2); return Buffer.concat([h, data]); };
  const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
  const cmd = (c: number, attrs: Buffer[]) => { const body = Buffer.concat(attrs); const h = Buffer.alloc(10); h.writeUInt32LE(body.length, 0); h.writeUInt16LE(c, 4); return Buffer.concat([h, body]); };
  return Buffer.concat([Buffer.from('btrfs-stream\0', 'latin1'), Buffer.from([1, 0, 0, 0]), cmd(2, [tlv(15, Buffer.from('snap'))]),
    ...sizes.flatMap((n, i) => [cmd(3, [tlv(15, Buffer.from(`f${i}`))]), cmd(22, [tlv(15, Buffer.from(`f${i}`)), tlv(18, u64(0)), tlv(4, u64(n))])]), cmd(21, [])]);
}

describe('the failback preview', () => {
  it('sums the extents a metadata-only send lists, read in any chunks', () => {
    const stream = noDataStream([4096, 1_000_000, 7, 3 * 2 ** 30]);
    const c = new ExtentCounter();
    for (let i = 0; i < stream.length; i += 5) c.push(stream.subarray(i, i + 5));
    expect(c.bytes).toBe(4096 + 1_000_000 + 7 + 3 * 2 ** 30);
    expect(c.commands).toBe(10);
    expect(() => new ExtentCounter().push(Buffer.from('not a stream at all'))).toThrow(/not a btrfs send stream/);
  });

  const st = (points: string[], lastPoint: string | null = null, extra: Partial<AgentState['targets'][string]> = {}): AgentState => ({ points, targets: { MAIL2: { state: 'idle', lastPoint, lastPointAt: null, lastParent: null, sends: 1, fullSends: 1, bytesRaw: 3e6, bytesWire: 1e6, current: null, lastError: null, limitBytesPerSecond: null, lastSend: null, lastFullSend: null, ...extra } } } as never);
  const p = (i: number) => `p000000000${i}-179640000${i}000`;

  it('starts from the point the source confirmed when the standby holds it, else the newest both hold', () => {
    expect(parentOf(st([p(1), p(2), p(3)], p(2)), st([p(1), p(2), p(4)]), 'MAIL2')).toBe(p(2));
    // The standby holds a newer point both have, but the source confirmed an older one: that one.
    expect(parentOf(st([p(1), p(2), p(3)], p(2)), st([p(1), p(2), p(3)]), 'MAIL2')).toBe(p(2));
    expect(parentOf(st([p(1), p(2), p(3)], p(3)), st([p(1), p(2), p(4)]), 'MAIL2')).toBe(p(2));
    expect(parentOf(st([p(5)], null), st([p(1)]), 'MAIL2')).toBeNull();
  });

  it('takes as long as the schedule allows now, with the compression replication has shown', () => {
    const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'J', source: { name: 'MAIL1', address: '198.18.0.11' },
      targets: [{ name: 'MAIL2', address: '198.18.0.12', options: { schedule: 'mon-sun 00-24 8mbit' } }, { name: 'MAIL3', address: '198.18.0.14', options: { compression: 'off' } }] }));
    const monday = new Date('2026-11-30T10:00:00Z');
    const limited = timeBack(30e6, job.targets[0]!, st([], null), monday);
    // 30 MB compressed 3:1 is 10 MB; at 1 MB/s, 10 s.
    expect(limited.seconds).toBeCloseTo(10, 5);
    expect(limited.how).toMatch(/^at the schedule's .* now, compressed about 3\.0:1/);
    const seen = timeBack(50e6, job.targets[1]!, { targets: { MAIL3: { ...st([]).targets.MAIL2!, lastFullSend: { point: p(1), parent: null, startedAt: 0, endedAt: 10_000, bytesRaw: 100e6, bytesWire: 100e6 } } } } as never, monday);
    expect(seen.seconds).toBeCloseTo(5, 5);
    expect(timeBack(1e6, job.targets[1]!, null, monday)).toEqual({ seconds: null, how: 'unlimited by the schedule now' });
  });
});
