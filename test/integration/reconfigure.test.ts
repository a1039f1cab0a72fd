/**
 * Rerun to reconfigure, on the lab: a protected job gets an option change that concerns one
 * server only. The plan touches only that server, the agents keep their PIDs, and
 * replication goes on from where it was (no new full send, the confirmed point moves on).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { s, sh } from './preflight-helpers.ts';
import { agentEvents, labStatus, resetProtection, until, newKeyFile } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'fg-reconf-'));
const env = { ...process.env, FAILGUARD_DATA_DIR: join(dir, 'data') };
/** Protecting keeps the job's keys in the encrypted store: the key file a person would give. */
const storeKey = newKeyFile();
const withKey = (args: string[]) => (args[0] === 'protect' && !args.includes('--secret-key-file') ? [...args, '--secret-key-file', storeKey] : args);
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/failguard.js', ...withKey(args)], { encoding: 'utf8', env, timeout: 300_000 });
const key = s.hosts[0]!.keyFile;
const pins = s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! }));
const job = {
  version: 1, id: '5d2c8e4a-1b3f-4a7d-9e6c-0f8b2a4d6c1e', name: 'Reconfigure',
  source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key },
  targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key }, { name: 'MAIL3', address: '198.18.0.14', sshKeyFile: key }],
  witness: { name: 'witness', address: '198.18.0.13', sshKeyFile: key },
  hostKeys: pins,
};
const jobFile = join(dir, 'job.json');
type State = { pid: number; configSha256: string; targets: Record<string, { fullSends: number; sends: number; lastPoint: string | null; limitBytesPerSecond: number | null }>; received: { count: number } };
const state = (h: string) => JSON.parse(sh(h, 'cat /var/lib/failguard/state.json')) as State;
const hosts = ['mail1', 'mail2', 'mail3', 'witness'];

beforeAll(async () => {
  writeFileSync(jobFile, JSON.stringify(job, null, 2));
  const r = cli('protect', '--job', jobFile, '--yes');
  expect(r.status, r.stderr).toBe(0);
  // Both standbys hold a point, so any later full send would show in the counters.
  await until('both targets to confirm a point', () => { const t = state('mail1').targets; return t.MAIL2?.lastPoint && t.MAIL3?.lastPoint; }, 240_000, 1000);
}, 600_000);

afterAll(() => resetProtection(labStatus(), hosts, 'fg-reconf-'));

describe('rerun to reconfigure', () => {
  it('a bandwidth limit on MAIL3 changes only MAIL1\'s configuration and MAIL2\'s (which would follow with it), in place; every agent keeps its PID and replication goes on', async () => {
    const before = Object.fromEntries(hosts.map((h) => [h, state(h)]));
    const changed = { ...job, targets: [job.targets[0], { ...job.targets[1], options: { schedule: 'mon-sun 00-24 80mbit' } }] };
    writeFileSync(jobFile, JSON.stringify(changed, null, 2));
    const planned = cli('protect', '--job', jobFile);
    expect(planned.status, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('~ target MAIL3: bandwidth schedule unlimited → mon-sun 00-24 80mbit');
    const id = /--apply (\S+)/.exec(planned.stdout)![1]!;
    const steps = planned.stdout.split('\n').filter((l) => /^\s+\d+\. /.test(l)).map((l) => l.trim().replace(/^\d+\. /, ''));
    const on = (h: string) => [`copy the agent configuration to ${h}`, `have the agent on ${h} take its new configuration (in place where it can, so replication goes on)`, `remove the replaced copies kept for undo on ${h}`];
    expect([...steps].sort()).toEqual([...on('MAIL1'), ...on('MAIL2')].sort());
    const applied = cli('protect', '--job', jobFile, '--apply', id);
    expect(applied.status, applied.stderr + applied.stdout).toBe(0);
    const after = Object.fromEntries(hosts.map((h) => [h, state(h)]));
    expect(Object.fromEntries(hosts.map((h) => [h, after[h]!.pid]))).toEqual(Object.fromEntries(hosts.map((h) => [h, before[h]!.pid])));
    expect(after.mail1!.configSha256).not.toBe(before.mail1!.configSha256);
    const reloads = (host: string) => agentEvents(host).flatMap((e) => (e.kind === 'config' && e.action === 'reloaded' ? [e.changes] : []));
    expect(reloads('mail1')).toEqual([['MAIL3 schedule "" → "mon-sun 00-24 80mbit"']]);
    expect(reloads('mail2')).toEqual([['standby MAIL3 schedule "" → "mon-sun 00-24 80mbit"']]);
    expect(after.mail3!.configSha256).toBe(before.mail3!.configSha256);
    // Replication goes on incrementally: no new full send, and each target confirms newer points.
    const moved = await until('both targets to confirm a newer point', () => {
      const t = state('mail1').targets;
      return t.MAIL2!.lastPoint! > before.mail1!.targets.MAIL2!.lastPoint! && t.MAIL3!.lastPoint! > before.mail1!.targets.MAIL3!.lastPoint! ? t : null;
    }, 60_000, 500);
    expect([moved.MAIL2!.fullSends, moved.MAIL3!.fullSends]).toEqual([before.mail1!.targets.MAIL2!.fullSends, before.mail1!.targets.MAIL3!.fullSends]);
    expect(await until('MAIL3\'s send to run under the new limit', () => state('mail1').targets.MAIL3!.limitBytesPerSecond, 60_000, 500)).toBe(10_000_000);
    expect(state('mail1').targets.MAIL2!.limitBytesPerSecond).toBeNull();
    expect(state('mail2').received.count).toBeGreaterThan(before.mail2!.received.count);
  }, 300_000);

  it('a DNS record added to an alert-mode failover changes no server at all', () => {
    const changed = { ...job, targets: [job.targets[0], { ...job.targets[1], options: { schedule: 'mon-sun 00-24 80mbit' } }], failover: { dns: [{ zone: 'lab.test', name: 'mail', type: 'A' }] } };
    writeFileSync(jobFile, JSON.stringify(changed, null, 2));
    const planned = cli('protect', '--job', jobFile);
    expect(planned.status, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('+ DNS record mail.lab.test A');
    expect(planned.stdout).toContain('Nothing to do: every host already runs this job as it is.');
  }, 120_000);

  it('a new failover timeout reaches every agent: each restarts itself on it, and replication resumes from the points it had', async () => {
    const before = Object.fromEntries(hosts.map((h) => [h, state(h)]));
    const changed = { ...job, targets: [job.targets[0], { ...job.targets[1], options: { schedule: 'mon-sun 00-24 80mbit' } }], failover: { timeoutSeconds: 90 } };
    writeFileSync(jobFile, JSON.stringify(changed, null, 2));
    const applied = cli('protect', '--job', jobFile, '--yes');
    expect(applied.status, applied.stderr + applied.stdout).toBe(0);
    expect(applied.stdout).not.toContain('agentd stop');
    const after = Object.fromEntries(hosts.map((h) => [h, state(h)]));
    for (const h of hosts) {
      expect(after[h]!.pid, h).not.toBe(before[h]!.pid);
      expect(agentEvents(h).filter((e) => e.kind === 'config' && e.action === 'restart').map((e) => e.message), h).toEqual([expect.stringContaining('(monitor changed)')]);
    }
    const moved = await until('both targets to confirm a newer point', () => {
      const t = state('mail1').targets;
      return t.MAIL2!.lastPoint! > before.mail1!.targets.MAIL2!.lastPoint! && t.MAIL3!.lastPoint! > before.mail1!.targets.MAIL3!.lastPoint! ? t : null;
    }, 60_000, 500);
    expect([moved.MAIL2!.fullSends, moved.MAIL3!.fullSends]).toEqual([before.mail1!.targets.MAIL2!.fullSends, before.mail1!.targets.MAIL3!.fullSends]);
  }, 300_000);
});
