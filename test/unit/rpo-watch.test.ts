/**
 * A standby's RPO watch: a crossing of the warning or critical age is alerted once it has lasted
 * SUSPECT_ALERT_AFTER_S, once; its clearing only when it was sent; a late point that catches up
 * within the debounce pages no one. The thresholds reach each standby's configuration, and
 * changing them is taken in place.
 */
import { describe, expect, it } from 'vitest';
import { RpoWatch, rpoLevel } from '../../agent/src/rpo-watch.ts';
import { SUSPECT_ALERT_AFTER_S } from '../../agent/src/monitor/rules.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { agentConfig } from '../../electron/provision/agent-config.ts';
import { agentConfigSchema } from '../../agent/src/config.ts';
import { reloadDecision } from '../../agent/src/reload.ts';

const T = { rpoWarnSeconds: 30, rpoCriticalSeconds: 300 };
const point = (at: number) => `p0000000007-${at}`;
const D = SUSPECT_ALERT_AFTER_S * 1000;

describe('the RPO watch on a standby', () => {
  it('levels by age: ok under the warning, warning from it, critical from the critical age', () => {
    expect([rpoLevel(null, T), rpoLevel(29.9, T), rpoLevel(30, T), rpoLevel(299, T), rpoLevel(300, T)]).toEqual([null, 'ok', 'warning', 'warning', 'critical']);
  });

  it('alerts a lasting crossing once, then critical, then its clearing; a short one not at all', () => {
    const w = new RpoWatch();
    const t0 = 1_800_000_000_000;
    const seen: Array<string | null> = [];
    const at = (ms: number, newestAt: number) => seen.push(w.step(t0 + ms, point(t0 + newestAt), T, 'MAIL2')?.event ?? null);
    at(0, 0);
    // 31 s old for 5 s, then a new point: nothing sent.
    at(31_000, 0); at(36_000, 0); at(37_000, 36_500);
    // Late again, and it lasts: one warning after the debounce, not before, and never twice.
    at(80_000, 36_500); at(80_000 + D - 1, 36_500); at(80_000 + D, 36_500); at(80_000 + D + 5000, 36_500);
    // Past the critical age: critical once it lasts.
    at(340_000, 36_500); at(340_000 + D, 36_500);
    // Current again: cleared once it lasts.
    at(400_000, 399_000); at(400_000 + D, 399_000 + D);
    expect(seen).toEqual([null, null, null, null, null, null, 'rpo-warning', null, null, 'rpo-critical', null, 'rpo-cleared']);
    const cleared = new RpoWatch();
    expect(cleared.step(t0, point(t0), T, 'MAIL2')).toBeNull();
    expect(cleared.step(t0 + D, point(t0 + D), T, 'MAIL2')).toBeNull();
  });

  it('a warning sent before the agent restarts is cleared after it, once, and a crossing that goes on is not sent again', () => {
    const t0 = 1_800_000_000_000;
    const memory: Record<string, string> = {};
    const before = new RpoWatch(memory, t0);
    expect(before.step(t0, point(t0 - 40_000), T, 'MAIL2')).toBeNull();
    expect(before.step(t0 + D, point(t0 - 40_000), T, 'MAIL2')?.event).toBe('rpo-warning');
    expect(memory).toEqual({ rpo: 'warning' });
    // Restarted (its memory read back from the state file), still late: nothing new is sent.
    const late = new RpoWatch({ ...memory }, t0 + 60_000);
    expect([late.step(t0 + 60_000, point(t0 - 40_000), T, 'MAIL2'), late.step(t0 + 60_000 + 2 * D, point(t0 - 40_000), T, 'MAIL2')]).toEqual([null, null]);
    // Restarted, and current again: cleared once that lasts, not at the first look.
    const kept = { ...memory };
    const after = new RpoWatch(kept, t0 + 60_000);
    const seen = [after.step(t0 + 60_000, point(t0 + 59_000), T, 'MAIL2')?.event ?? null, after.step(t0 + 60_000 + D, point(t0 + 59_000 + D), T, 'MAIL2')?.event ?? null,
      after.step(t0 + 60_000 + 3 * D, point(t0 + 59_000 + 3 * D), T, 'MAIL2')?.event ?? null];
    expect(seen).toEqual([null, 'rpo-cleared', null]);
    expect(kept).toEqual({});
  });

  it('each standby gets its thresholds in its configuration (its own over the job\'s), and a change is taken in place', () => {
    const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' },
      targets: [{ name: 'MAIL2', address: '198.18.0.12' }, { name: 'MAIL3', address: '198.18.0.14', options: { health: { rpoWarnSeconds: 600, rpoCriticalSeconds: 3600 } } }], health: { rpoWarnSeconds: 20, rpoCriticalSeconds: 120 } }));
    const config = (j: typeof job, name: string) => agentConfigSchema.parse(agentConfig(j, { role: 'target', name }));
    expect(config(job, 'MAIL2').health).toEqual({ rpoWarnSeconds: 20, rpoCriticalSeconds: 120 });
    expect(config(job, 'MAIL3').health).toEqual({ rpoWarnSeconds: 600, rpoCriticalSeconds: 3600 });
    expect(agentConfig(job, { role: 'source', name: 'MAIL1' })).not.toHaveProperty('health');
    const tighter = { ...job, health: { ...job.health, rpoWarnSeconds: 10, rpoCriticalSeconds: 60 } };
    expect(reloadDecision(config(job, 'MAIL2'), config(tighter, 'MAIL2'))).toEqual({ restart: false, changes: ['RPO thresholds {"rpoCriticalSeconds":120,"rpoWarnSeconds":20} → {"rpoCriticalSeconds":60,"rpoWarnSeconds":10}'] });
  });
});
