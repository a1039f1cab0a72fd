/**
 * The key that opens a standby's sealed directory account leaves the witness only with a lease
 * it grants, and to that holder asking again only while its failover may still be running
 * (KEY_WINDOW_MS); never to the source, never to a host that is not a standby, never later.
 * The witness's real monitor, on a state folder of its own, with its clocks faked.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Monitor } from '../../agent/src/monitor/monitor.ts';
import { StateFile } from '../../agent/src/state.ts';
import { agentConfigSchema } from '../../agent/src/config.ts';
import { KEY_WINDOW_MS, DEFAULT_TIMING } from '../../agent/src/monitor/rules.ts';

const LEASE_KEY = 'c2VhbGluZyBrZXkgb2YgdGhlIGpvYiwgMzIgYnl0ZXM=';

function witness() {
  const dir = mkdtempSync(join(tmpdir(), 'fg-witness-'));
  const c = agentConfigSchema.parse({
    version: 1, jobId: 'job', host: 'witness', role: 'witness', listen: { address: '127.0.0.1', port: 0 }, tls: { ca: '', cert: '', key: '' },
    subvolume: '/srv/mail', pointsDir: join(dir, 'points'), receiveDir: join(dir, 'received'), stateDir: dir, standbyNames: ['MAIL2', 'MAIL3'],
    monitor: { source: { name: 'MAIL1', address: '198.18.0.11', port: 7390 }, mode: 'automatic', timeoutSeconds: 60 }, leaseKey: LEASE_KEY,
  });
  const st = new StateFile(dir, { version: 't', jobId: 'job', host: 'witness', role: 'witness', pid: 1, node: '', startedAt: 0, configSha256: '', points: [], targets: {}, received: { count: 0, newest: null, newestAt: null, lastFrom: null } } as never);
  return new Monitor(c, {} as never, st, []);
}

describe('the lease key leaves the witness only with a grant, and only during that failover', () => {
  // The agent's monotonic clock (perf_hooks) and the witness's wall clock (the lease's grant time), moved together.
  let mono = 0;
  const advance = (ms: number) => { mono += ms; vi.advanceTimersByTime(ms); };
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-04T10:00:00Z') });
    vi.spyOn(performance, 'now').mockImplementation(() => mono);
  });
  afterEach(() => { vi.useRealTimers(); vi.restoreAllMocks(); });

  it('the grant carries it; the holder asking again gets it within the window and never after; the source and a stranger never', () => {
    const w = witness();
    expect(w.onHeartbeat('MAIL1')).toMatchObject({ ok: true });
    // While the source is heard, no lease and no key.
    expect(w.leaseRequest('MAIL2')).toMatchObject({ granted: false });
    expect(w.leaseRequest('MAIL2')).not.toHaveProperty('key');
    advance((DEFAULT_TIMING.grantAfterS + 1) * 1000);
    const grant = w.leaseRequest('MAIL2');
    expect(grant).toMatchObject({ granted: true, active: 'MAIL2', epoch: 1, key: LEASE_KEY });
    // Another standby, the source, a host not in the job: refused, and no key.
    for (const from of ['MAIL3', 'MAIL1', 'MAIL9']) {
      const r = w.leaseRequest(from);
      expect(r, from).toMatchObject({ granted: false });
      expect(r, from).not.toHaveProperty('key');
    }
    // The holder's agent restarted mid-failover: it asks again and may finish.
    advance(KEY_WINDOW_MS - 60_000);
    expect(w.leaseRequest('MAIL2')).toMatchObject({ granted: true, key: LEASE_KEY });
    // Once the failover is long over, the holder keeps its lease but gets no key.
    advance(120_000);
    const late = w.leaseRequest('MAIL2');
    expect(late).toMatchObject({ granted: true, active: 'MAIL2', epoch: 1 });
    expect(late).not.toHaveProperty('key');
  });

  it('a lease handed over (failback, planned switchover) never carries the key, however soon the holder asks', () => {
    const w = witness();
    w.onHeartbeat('MAIL1');
    advance((DEFAULT_TIMING.grantAfterS + 1) * 1000);
    expect(w.leaseRequest('MAIL2')).toMatchObject({ granted: true, key: LEASE_KEY });
    // Failback: MAIL2 hands the lease back to MAIL1; a planned switchover later hands it to MAIL2 again.
    expect(w.handover('MAIL2', 'MAIL1')).toMatchObject({ granted: true, active: 'MAIL1', epoch: 2 });
    expect(w.handover('MAIL1', 'MAIL2')).toMatchObject({ granted: true, active: 'MAIL2', epoch: 3 });
    const asked = w.leaseRequest('MAIL2');
    expect(asked).toMatchObject({ granted: true, active: 'MAIL2', epoch: 3 });
    expect(asked).not.toHaveProperty('key');
  });
});
