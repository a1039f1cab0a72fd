/**
 * The health limits beyond the RPO, on simulated clocks: a source whose sends to a standby stop
 * succeeding, an initial sync that stalls (a retry failing where the last one did is no progress),
 * a standby's volume nearly full; each alerted once after the debounce, with its clearing once;
 * and status --check calling a nearly full volume critical.
 */
import { describe, expect, it } from 'vitest';
import { SendWatch, VolumeWatch } from '../../agent/src/health-watch.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { healthCheck } from '../../shared/health-check.ts';
import type { AgentState } from '../../shared/agent-state.ts';
import type { TargetView } from '../../shared/replication.ts';

const limits = { noSendMinutes: 10, syncStallMinutes: 5, minFreePercent: 5 };
type Target = AgentState['targets'][string];
const target = (over: Partial<Target>): Target => ({ state: 'idle', lastPoint: 'p0000000001-1', lastPointAt: 1, lastParent: null, fullSends: 1, sends: 1, bytesRaw: 0, bytesWire: 0, current: null, lastError: null, limitBytesPerSecond: null, lastSend: null, lastFullSend: null, ...over });
const min = 60_000;
/** Runs the watch each 10 s from `from` to `to` (ms); returns each alert with the minute it came. */
function run(w: SendWatch, state: (t: number) => Pick<AgentState, 'targets' | 'startedAt'>, from: number, to: number) {
  const out: Array<[number, string]> = [];
  for (let t = from; t <= to; t += 10_000) for (const a of w.step(t, state(t), limits, 'MAIL1')) out.push([Math.round(t / min), a.event]);
  return out;
}

describe('the source\'s watch over its sends', () => {
  it('alerts once when no send has succeeded for the limit, with the last error, and once when one does again', () => {
    const w = new SendWatch();
    // The last send succeeded at minute 0; failing from then on until minute 30, when one succeeds.
    const state = (t: number) => ({ startedAt: 0, targets: { MAIL2: target({ lastSend: { point: 'p0000000002-2', parent: 'p0000000001-1', startedAt: 0, endedAt: t >= 30 * min ? 30 * min : 0, bytesRaw: 1, bytesWire: 1 }, lastError: t < 30 * min ? 'MAIL2 cannot be reached' : null }) } });
    const seen = run(w, state, 0, 40 * min);
    expect(seen).toEqual([[10, 'send-stalled'], [30, 'send-resumed']]);
    const w2 = new SendWatch();
    const first = w2.step(11 * min, state(0), limits, 'MAIL1');
    expect(first).toEqual([]);
    expect(w2.step(11 * min + 10_000, state(0), limits, 'MAIL1')[0]).toMatchObject({ event: 'send-stalled', severity: 'warning', message: expect.stringContaining('The last error: MAIL2 cannot be reached') });
  });

  it('a stall alerted before the agent restarts is cleared after it, once sends succeed again; one still going is not alerted twice', () => {
    const memory: Record<string, string> = {};
    const failing = (t: number) => ({ startedAt: 0, targets: { MAIL2: target({ lastSend: { point: 'p0000000002-2', parent: 'p0000000001-1', startedAt: 0, endedAt: 0, bytesRaw: 1, bytesWire: 1 }, lastError: t >= 0 ? 'MAIL2 cannot be reached' : null }) } });
    expect(run(new SendWatch(memory), failing, 0, 12 * min)).toEqual([[10, 'send-stalled']]);
    expect(memory).toEqual({ 'send-stalled:MAIL2': 'raised' });
    // Restarted at minute 13 (started then: the quiet time counts from the start), still failing for 20 minutes: no second alert.
    const still = (t: number) => ({ ...failing(t), startedAt: 13 * min });
    expect(run(new SendWatch({ ...memory }), still, 13 * min, 33 * min)).toEqual([]);
    // Restarted, and a send succeeds at minute 14: cleared, once.
    const kept = { ...memory };
    const ok = (t: number) => ({ startedAt: 13 * min, targets: { MAIL2: target({ lastSend: { point: 'p0000000003-3', parent: 'p0000000002-2', startedAt: 0, endedAt: t >= 14 * min ? t : 0, bytesRaw: 1, bytesWire: 1 }, lastError: null }) } });
    expect(run(new SendWatch(kept), ok, 13 * min, 30 * min)).toEqual([[14, 'send-resumed']]);
    expect(kept).toEqual({});
  });

  it('a stalled initial sync alerted before the agent restarts stays alerted until the sync really moves, then is cleared once', () => {
    const memory: Record<string, string> = {};
    const stuck = (bytes: number) => () => ({ startedAt: 0, targets: { MAIL2: target({ lastPoint: null, current: { point: 'p0000000001-1', parent: null, startedAt: 0, bytesRaw: bytes, bytesWire: bytes, estimateBytes: 2e9 }, lastError: 'the peer is gone' }) } });
    expect(run(new SendWatch(memory), stuck(1000), 0, 7 * min)).toEqual([[5, 'sync-stalled']]);
    expect(memory).toEqual({ 'sync-stalled:MAIL2': 'raised', 'sync-bytes:MAIL2': '1000' });
    // Restarted, still stuck at the same byte for 10 minutes: neither cleared nor alerted again.
    expect(run(new SendWatch({ ...memory }), stuck(1000), 8 * min, 18 * min)).toEqual([]);
    // Restarted, and a retry starts again from nothing and fails short of where the last got: still no progress.
    expect(run(new SendWatch({ ...memory }), (t) => stuck(Math.min(900, Math.max(0, t - 8 * min) / 100))(), 8 * min, 25 * min)).toEqual([]);
    // Restarted, and the sync moves (its bytes grow after the first look): cleared once.
    const kept = { ...memory };
    expect(run(new SendWatch(kept), (t) => stuck(1000 + Math.max(0, t - 20 * min))(), 19 * min, 30 * min)).toEqual([[20, 'sync-progressing']]);
    expect(kept).toEqual({});
  });

  it('never counts an initial sync as stalled sends, and alerts a sync that gets no further, retries included', () => {
    const w = new SendWatch();
    // Minutes 0–3 the full send grows (to 283 MB); then each retry starts from nothing and fails within a minute, never
    // getting as far (250 MB at most), until minute 20, when one gets further.
    const state = (t: number) => {
      const m = t / min;
      const s = Math.round(m * 60) % 120;
      const bytes = m < 3 ? m * 100e6 : m < 20 ? (s < 60 ? (s / 60) * 300e6 : null) : 300e6 + (m - 20) * 100e6;
      return { startedAt: 0, targets: { MAIL2: target({ lastPoint: null, current: bytes === null ? null : { point: 'p0000000001-1', parent: null, startedAt: 0, bytesRaw: bytes, bytesWire: bytes, estimateBytes: 2e9 }, lastError: 'the peer is gone' }) } };
    };
    expect(run(w, state, 0, 30 * min)).toEqual([[8, 'sync-stalled'], [20, 'sync-progressing']]);
  });
});

describe('a standby\'s volume', () => {
  it('alerts once under the limit and once back above it', () => {
    const w = new VolumeWatch();
    const total = 100 * 2 ** 30;
    const free = [50, 4, 4, 4, 3, 20, 20, 20];
    const seen = free.map((f, i) => w.step(i * 10_000, { freeBytes: f * 2 ** 30, totalBytes: total }, limits, 'MAIL2')?.event ?? null);
    expect(seen).toEqual([null, null, 'volume-full', null, null, null, 'volume-ok', null]);
    expect(new VolumeWatch().step(0, null, limits, 'MAIL2')).toBeNull();
  });

  it('is critical in status --check under the job\'s limit', () => {
    const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }] }));
    const t = (volume: TargetView['volume']): TargetView => ({ target: 'MAIL2', phase: 'replicating', initialSync: null, bytesPerSecond: null, compressionRatio: null, rpoSeconds: 1, newestPoint: 'p1', points: 3, held: 0, tripwire: null, limitBytesPerSecond: null, lastError: null, monitor: null, volume });
    const check = (v: TargetView['volume']) => healthCheck(job, { job: 'Lab', at: 0, hosts: [], targets: [t(v)], events: [] });
    expect(check({ freeBytes: 4, totalBytes: 100 })).toMatchObject({ state: 'CRITICAL', targets: [{ why: 'MAIL2: its volume of points has 4.0% free (critical under 5%)' }] });
    expect(check({ freeBytes: 6, totalBytes: 100 }).state).toBe('OK');
    expect(check(null).state).toBe('OK');
  });
});
