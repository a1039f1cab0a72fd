/**
 * A rehearsal acts only on its own copy: on a standby that serves (a failover's point up, or a
 * failover begun) each of its steps refuses before it changes anything, and a failover's data is
 * never discarded. Each refusal happens before any btrfs or service command, so no lab is needed.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdQueue, promote, requireRehearsalCopy, serve, unpromote, unserve } from '../../agent/src/commands.ts';
import { rehearsalCheck } from '../../agent/src/rehearsal-check.ts';
import { writePhase } from '../../agent/src/monitor/phase.ts';
import type { AgentConfig } from '../../agent/src/config.ts';

function host(o: { promoted?: Record<string, unknown>; phase?: 'failing-over' | 'failed-over' } = {}): AgentConfig {
  const dir = mkdtempSync(join(tmpdir(), 'fg-guard-'));
  if (o.promoted) writeFileSync(join(dir, 'promoted.json'), JSON.stringify(o.promoted));
  if (o.phase) writePhase(dir, { phase: o.phase, at: Date.now() });
  // Paths that do not exist: a step that got past its guard would fail differently (no such subvolume).
  return { host: 'MAIL2', role: 'target', stateDir: dir, subvolume: join(dir, 'no-data'), receiveDir: join(dir, 'no-points'), monitor: undefined } as unknown as AgentConfig;
}
const failover = { point: 'p0000000042-1796434027260', aside: null, at: 1 };
const copy = { ...failover, rehearsal: true };

describe('a rehearsal on a standby that serves', () => {
  it('is refused at its first step when a failover\'s point is up, or a failover has begun', async () => {
    await expect(promote(host({ promoted: failover }), null, { rehearsal: true })).rejects.toMatchObject({ code: 'rehearsal-refused' });
    await expect(promote(host({ phase: 'failed-over' }), null, { rehearsal: true })).rejects.toMatchObject({ code: 'rehearsal-refused' });
    await expect(promote(host({ phase: 'failing-over' }), null, { rehearsal: true })).rejects.toMatchObject({ code: 'rehearsal-refused' });
  });

  it('never discards a failover\'s data, whoever asks', async () => {
    const c = host({ promoted: failover });
    await expect(unpromote(c, true)).rejects.toMatchObject({ code: 'discard-refused' });
    expect(existsSync(join(c.stateDir, 'promoted.json'))).toBe(true);
    // The rehearsal's own undo refuses once a failover began, even on its own copy (the failover discards it itself).
    await expect(unpromote(host({ promoted: copy, phase: 'failing-over' }), true, { rehearsal: true })).rejects.toMatchObject({ code: 'rehearsal-interrupted' });
  });

  it('stops at each later step when its copy is not what is up', async () => {
    for (const c of [host(), host({ promoted: failover }), host({ promoted: copy, phase: 'failed-over' })]) {
      expect(() => requireRehearsalCopy(c, 'test')).toThrow(/the rehearsal does not test/);
      await expect(holdQueue(c)).rejects.toMatchObject({ code: 'rehearsal-interrupted' });
      await expect(serve(c, { rehearsal: true })).rejects.toMatchObject({ code: 'rehearsal-interrupted' });
      await expect(rehearsalCheck(c)).rejects.toMatchObject({ code: 'rehearsal-interrupted' });
    }
    await expect(unserve(host({ promoted: failover }), { rehearsal: true })).rejects.toMatchObject({ code: 'rehearsal-interrupted' });
    await expect(unserve(host({ phase: 'failed-over' }), { rehearsal: true })).rejects.toMatchObject({ code: 'rehearsal-interrupted' });
    // Its own copy, nothing begun: the guard lets it on.
    expect(requireRehearsalCopy(host({ promoted: copy }), 'test')).toMatchObject({ rehearsal: true });
  });
});
