import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { lab, labStatus } from './helpers.ts';

describe('lab status --json', () => {
  it('names the directory, the hosts and the receivers with what tools need', () => {
    const s = labStatus();
    expect(s.directory).toMatchObject({ url: 'ldaps://dc1.lab.test', realm: 'LAB.TEST', baseDn: 'DC=lab,DC=test', dnsServer: '198.18.0.10', running: true });
    expect(existsSync(s.directory.caFile) && existsSync(s.directory.passwordFile)).toBe(true);
    expect(s.hosts.map((h) => h.name)).toEqual(['dc1', 'mail1', 'mail2', 'mail3', 'witness']);
    for (const h of s.hosts) {
      expect(h).toMatchObject({ sshPort: 22, user: 'root', running: true });
      expect(h.address).toMatch(/^198\.1[89]\./);
      expect(h.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
    expect(Object.keys(s.receivers)).toEqual(expect.arrayContaining(['smtp', 'snmp', 'syslog']));
  });
});

describe('lab bad input', () => {
  it.each([
    [['frob'], /^lab: "frob" is not a lab command; the commands are /],
    [['cut', 'nosuchhost'], /^lab: There is no lab host called "nosuchhost"/],
    [['org', '--servers', 'many', '--mailboxes', '1'], /^lab: --servers must be a whole number from 1 to 500; "many" is not\.$/],
  ])('%j says what is wrong in one sentence', (args, sentence) => {
    const before = JSON.stringify(labStatus().pids);
    const r = lab(...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(sentence);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.stringify(labStatus().pids)).toBe(before);
  });

  it('up with a needed package missing says which and changes nothing', () => {
    // A PATH that has every program of this machine except iperf3.
    const farm = mkdtempSync(join(tmpdir(), 'fg-path-'));
    for (const dir of [dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin']) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) if (f !== 'iperf3' && !existsSync(join(farm, f))) symlinkSync(join(dir, f), join(farm, f));
    }
    const before = labStatus();
    const r = spawnSync(process.execPath, ['test/lab/cli.ts', 'up'], { encoding: 'utf8', env: { ...process.env, PATH: farm } });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^lab: The lab needs Debian packages that are not installed \(iperf3\); install them with: /);
    expect(labStatus().pids).toEqual(before.pids);
  });
});
