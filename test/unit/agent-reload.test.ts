import { describe, expect, it } from 'vitest';
import { agentConfigSchema, type AgentConfig } from '../../agent/src/config.ts';
import { applyInPlace, reloadDecision } from '../../agent/src/reload.ts';

const base = (): AgentConfig => agentConfigSchema.parse({
  version: 1, jobId: 'j', jobName: 'Lab', host: 'MAIL1', role: 'source', listen: { address: '0.0.0.0', port: 7420 },
  tls: { ca: '/c', cert: '/e', key: '/k' }, subvolume: '/srv/mail', pointsDir: '/p', receiveDir: '/r', stateDir: '/s',
  targets: [{ name: 'MAIL2', address: '198.18.0.12', port: 7420, compression: 'fast', schedule: '', intervalSeconds: 1 }, { name: 'MAIL3', address: '198.18.0.13', port: 7420, compression: 'fast', schedule: '', intervalSeconds: 1 }],
  monitor: { source: { name: 'MAIL1', address: '198.18.0.11', port: 7420 }, mode: 'alert', timeoutSeconds: 60, services: ['postfix'] },
});

describe('a new configuration for a running agent', () => {
  it('is taken in place when only a schedule, compression, interval, retention, alerts or the name change', () => {
    const cur = base();
    const shipperView = cur.targets[1]!;
    const next = base();
    next.targets[1]!.schedule = 'mon-sun 00-24 10mbit';
    next.targets[0]!.compression = 'strong';
    next.retention = { last: 30, hourlyForHours: 0, dailyForDays: 0 };
    next.alerts = [{ kind: 'syslog', host: '198.18.0.40', port: 514, transport: 'udp' }];
    const d = reloadDecision(cur, next);
    expect(d).toEqual({ restart: false, changes: ['MAIL2 compression "fast" → "strong"', 'MAIL3 schedule "" → "mon-sun 00-24 10mbit"', 'retention {"dailyForDays":0,"hourlyForHours":24,"last":60} → {"dailyForDays":0,"hourlyForHours":0,"last":30}', 'alert receivers (0 → 1)'] });
    applyInPlace(cur, next);
    // The shipper holds the very target object: it sees the new schedule without being rebuilt.
    expect(shipperView.schedule).toBe('mon-sun 00-24 10mbit');
    expect(cur.retention.last).toBe(30);
    expect(reloadDecision(cur, next)).toEqual({ restart: false, changes: [] });
  });

  it('takes a standby\'s schedule in place on a standby too (what it would follow with), and a standby added needs a restart', () => {
    const standby = (): AgentConfig => ({ ...base(), host: 'MAIL2', role: 'target', targets: [], standbys: [{ name: 'MAIL3', address: '198.18.0.13', port: 7420, compression: 'fast', schedule: '', intervalSeconds: 1 }] });
    const cur = standby();
    const view = cur.standbys[0]!;
    const next = standby();
    next.standbys[0]!.schedule = 'mon 00-01 20mbit';
    expect(reloadDecision(cur, next)).toEqual({ restart: false, changes: ['standby MAIL3 schedule "" → "mon 00-01 20mbit"'] });
    applyInPlace(cur, next);
    expect(view.schedule).toBe('mon 00-01 20mbit');
    const more = standby();
    more.standbys.push({ name: 'MAIL4', address: '198.18.0.15', port: 7420, compression: 'fast', schedule: '', intervalSeconds: 1 });
    expect(reloadDecision(cur, more)).toMatchObject({ restart: true });
  });

  it('needs a restart for a target added, another port, or another monitor', () => {
    const added = base();
    added.targets.push({ name: 'MAIL4', address: '198.18.0.14', port: 7420, compression: 'fast', schedule: '', intervalSeconds: 1 });
    expect(reloadDecision(base(), added)).toEqual({ restart: true, why: 'targets changed' });
    const port = base();
    port.listen.port = 7421;
    expect(reloadDecision(base(), port)).toEqual({ restart: true, why: 'listen changed' });
    const mon = base();
    mon.monitor!.timeoutSeconds = 30;
    expect(reloadDecision(base(), mon)).toMatchObject({ restart: true, why: 'monitor changed' });
  });
});

describe('the witness before it has heard the source', async () => {
  const { LeaseStore } = await import('../../agent/src/monitor/lease.ts');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  it('remembers, across a restart, that it has heard the source; a new job\'s witness has not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-lease-'));
    const a = new LeaseStore(dir, 'MAIL1');
    expect(a.everHeard('MAIL1')).toBe(false);
    a.markHeard('MAIL1');
    const restarted = new LeaseStore(dir, 'MAIL1');
    expect([restarted.everHeard('MAIL1'), restarted.everHeard('MAIL2')]).toEqual([true, false]);
    restarted.markHeard('MAIL2');
    expect(new LeaseStore(dir, 'MAIL2').everHeard('MAIL1')).toBe(true);
  });
});

describe('an agent configuration whose failover timing breaks the rule', () => {
  it('is refused in one sentence, so the agent never runs on it', async () => {
    const { loadConfig } = await import('../../agent/src/config.ts');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'fg-timing-'));
    const config = (timeoutSeconds: number, profile: string) => ({ version: 1, jobId: 'j', host: 'MAIL2', role: 'target', listen: { address: '0.0.0.0', port: 7420 }, tls: { ca: 'a', cert: 'b', key: 'c' },
      subvolume: '/srv/mail', pointsDir: '/srv/.failguard/points', receiveDir: '/srv/.failguard/received', stateDir: dir, monitor: { source: { name: 'MAIL1', address: '198.18.0.11', port: 7420 }, timeoutSeconds, profile } });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(config(9, 'standard')));
    writeFileSync(join(dir, 'good.json'), JSON.stringify(config(9, 'fast')));
    await expect(loadConfig(join(dir, 'bad.json'))).rejects.toThrow(/has a failover timing that could let two servers take mail: a failover timeout of 9 s is shorter than the 10 s the witness waits/);
    await expect(loadConfig(join(dir, 'good.json'))).resolves.toMatchObject({ monitor: { timeoutSeconds: 9, profile: 'fast' } });
  });
});
