/** `failguard protect`, `status` and `unprotect` from the command line against the lab: plan shown, applied by id, run again unchanged, removed. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { s } from './preflight-helpers.ts';
import { filesUnder, inHost, lab, labStatus, until, newKeyFile } from './helpers.ts';

/** A command on a lab host, asking the lab where the host is now (a killed and started host has new namespaces). */
const sh = (host: string, cmd: string) => {
  const r = inHost(labStatus(), host, cmd);
  if (r.code !== 0) throw new Error(`${host}$ ${cmd} failed: ${r.stderr}`);
  return r.stdout;
};

const dir = mkdtempSync(join(tmpdir(), 'fg-protect-cli-'));
const jobFile = join(dir, 'lab.job.json');
const env = { ...process.env, FAILGUARD_DATA_DIR: join(dir, 'data') };
/** Protecting keeps the job's keys in the encrypted store: the key file a person would give. */
const storeKey = newKeyFile();
const withKey = (args: string[]) => (args[0] === 'protect' && !args.includes('--secret-key-file') ? [...args, '--secret-key-file', storeKey] : args);
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/failguard.js', ...withKey(args)], { encoding: 'utf8', env, timeout: 300_000 });
const key = s.hosts[0]!.keyFile;
writeFileSync(jobFile, JSON.stringify({
  version: 1, id: '2a9d7c1e-5b3f-4a8e-9d0c-7e6f5a4b3c2d', name: 'CLI job',
  source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key }, targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key, options: { compression: 'strong', schedule: 'mon-sun 00-24 200mbit' } }],
  witness: { name: 'witness', address: '198.18.0.13', sshKeyFile: key },
  failover: { mode: 'alert', timeoutSeconds: 10, profile: 'fast' },
  hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
}, null, 2));
afterAll(() => cli('unprotect', '--job', jobFile, '--purge', '--yes'));

describe('failguard protect / status / unprotect', () => {
  it('shows the plan and changes nothing, then applies exactly that plan by its id', () => {
    const shown = cli('protect', '--job', jobFile);
    expect(shown.status, shown.stderr).toBe(0);
    const id = /--apply (sha256:[0-9a-f]{64})/.exec(shown.stdout)?.[1];
    expect(id).toBeDefined();
    expect(shown.stdout).toContain('/opt/failguard/bin/node');
    expect(sh('mail1', 'test -e /opt/failguard/agentd && echo yes || echo no').trim()).toBe('no');
    const applied = cli('protect', '--job', jobFile, '--apply', id!);
    expect(applied.status, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^Done: Protect MAIL1 → MAIL2/m);
    // The job now pins the agents' certificates (and holds no secret).
    const job = JSON.parse(readFileSync(jobFile, 'utf8')) as { certificates: { ca: string; agents: Record<string, string> } };
    expect(job.certificates.ca).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Object.keys(job.certificates.agents).sort()).toEqual(['MAIL1', 'MAIL2', 'witness']);
    expect(readFileSync(jobFile, 'utf8')).not.toMatch(/PRIVATE KEY|password/i);
  });

  it('runs again unchanged without changing anything', () => {
    const again = cli('protect', '--job', jobFile);
    expect(again.stdout).toContain('Nothing to do');
    const stale = cli('protect', '--job', jobFile, '--apply', `sha256:${'0'.repeat(64)}`);
    expect(stale.status).toBe(4);
    expect(stale.stderr).toMatch(/changed since you reviewed the plan .*review it again\.\n$/);
  });

  it('status shows both agents replicating', async () => {
    type All = Array<{ host: string; state: { role: string; targets: Record<string, { sends: number; bytesWire: number; bytesRaw: number }>; received: { count: number } } }>;
    // Polled, not slept: the first sends are done once MAIL2 holds a point.
    const all = await until('a point on MAIL2 in status', () => {
      const st = cli('status', '--job', jobFile, '--json');
      expect(st.status, st.stderr).toBe(0);
      const a = JSON.parse(st.stdout) as All;
      return (a[1]?.state.received.count ?? 0) > 0 && a;
    }, 30_000);
    expect(all.map((h) => [h.host, h.state.role])).toEqual([['MAIL1', 'source'], ['MAIL2', 'target'], ['witness', 'witness']]);
    expect(all[0]!.state.targets.MAIL2!.sends).toBeGreaterThan(0);
    expect(all[1]!.state.received.count).toBeGreaterThan(0);
    const text = cli('status', '--job', jobFile);
    expect(text.stdout).toMatch(/MAIL2 +target +agent /);
    expect(text.stdout).toMatch(/→ MAIL2 +replicating, .*s old \(RPO\)/);
  });

  it('status --check speaks the monitoring plugin convention: OK, then WARNING and CRITICAL as the RPO grows on a cut link, OK again once healed; UNKNOWN when the hosts cannot be read', async () => {
    // The same job with short thresholds: a warning at 3 s, critical at 12 s.
    const tight = join(dir, 'tight.job.json');
    writeFileSync(tight, JSON.stringify({ ...JSON.parse(readFileSync(jobFile, 'utf8')), health: { rpoWarnSeconds: 3, rpoCriticalSeconds: 12 } }));
    const check = () => { const r = cli('status', '--job', tight, '--check'); return { code: r.status, line: r.stdout, lines: r.stdout.split('\n').filter(Boolean).length, err: r.stderr }; };
    const ok = await until(() => `the check to say OK (${JSON.stringify(check())})`, () => { const c = check(); return c.code === 0 && c; }, 30_000);
    expect(ok.line).toMatch(/^FAILGUARD OK - CLI job: MAIL2: newest point \d+ s old \| 'rpo_MAIL2'=[\d.]+s;3;12;0; 'points_MAIL2'=\d+;;;0;\n$/);
    expect(ok.err).toBe('');
    expect(lab('cut', 'mail1', 'mail2').code).toBe(0);
    try {
      const warning = await until(() => `a warning (${JSON.stringify(check())})`, () => { const c = check(); return c.code !== 0 && c; }, 30_000, 250);
      expect([warning.code, warning.lines]).toEqual([1, 1]);
      // Late past 3 s, or a send that failed on the cut (a warning while the standby is still current).
      expect(warning.line).toMatch(/^FAILGUARD WARNING - CLI job: MAIL2: newest point \d+ s old( \(warning at 3 s\))?(; sends fail: .+)? \|/);
      const critical = await until(() => `critical (${JSON.stringify(check())})`, () => { const c = check(); return c.code === 2 && c; }, 30_000, 500);
      expect(critical.line).toMatch(/^FAILGUARD CRITICAL - CLI job: MAIL2: newest point \d+ s old \(critical at 12 s\)(; sends fail: .+)? \|/);
    } finally {
      expect(lab('heal', 'mail1', 'mail2').code).toBe(0);
    }
    await until(() => `OK again (${JSON.stringify(check())})`, () => check().code === 0, 60_000);
    // Hosts that cannot be read: UNKNOWN, exit 3, still one line; a job file that cannot be read too.
    const lost = join(dir, 'lost.job.json');
    const j = JSON.parse(readFileSync(tight, 'utf8')) as { source: { sshKeyFile: string }; targets: Array<{ sshKeyFile: string }> };
    j.source.sshKeyFile = join(dir, 'no-such-key');
    for (const t of j.targets) t.sshKeyFile = join(dir, 'no-such-key');
    writeFileSync(lost, JSON.stringify(j));
    const unknown = cli('status', '--job', lost, '--check');
    expect([unknown.status, unknown.stdout.split('\n').filter(Boolean).length]).toEqual([3, 1]);
    expect(unknown.stdout).toMatch(/^FAILGUARD UNKNOWN - /);
    const noJob = cli('status', '--job', join(dir, 'no-such.job.json'), '--check');
    expect([noJob.status, noJob.stdout.split('\n').filter(Boolean).length]).toEqual([3, 1]);
    expect(noJob.stdout).toMatch(/^FAILGUARD UNKNOWN - /);
  }, 180_000);

  it('reaches the hosts with a passphrase-protected key: one sentence without it, the passphrase from a file, then kept', () => {
    const locked = join(dir, 'locked_ed25519');
    writeFileSync(locked, readFileSync(key), { mode: 0o600 });
    const passphrase = 'correct horse battery';
    expect(spawnSync('ssh-keygen', ['-p', '-q', '-P', '', '-N', passphrase, '-f', locked]).status).toBe(0);
    const lockedJob = join(dir, 'locked.job.json');
    const job = JSON.parse(readFileSync(jobFile, 'utf8')) as { source: { sshKeyFile: string }; targets: Array<{ sshKeyFile: string }>; witness: { sshKeyFile: string } };
    for (const h of [job.source, ...job.targets, job.witness]) h.sshKeyFile = locked;
    writeFileSync(lockedJob, JSON.stringify(job));
    const secretFile = join(dir, 'ssh-secret');
    writeFileSync(secretFile, `${passphrase}\n`, { mode: 0o600 });
    const states = (r: ReturnType<typeof cli>) => (JSON.parse(r.stdout) as Array<{ host: string; state: unknown; error?: string }>).map((h) => [h.host, h.state ? 'read' : h.error]);

    const without = cli('status', '--job', lockedJob, '--json');
    expect(without.status).toBe(4);
    expect(states(without)).toEqual(['MAIL1', 'MAIL2', 'witness'].map((h) => [h, 'The SSH key is protected by a passphrase; give the passphrase too.']));
    const given = cli('status', '--job', lockedJob, '--json', '--ssh-secret-file', secretFile);
    expect(given.status, given.stderr).toBe(0);
    expect(states(given)).toEqual([['MAIL1', 'read'], ['MAIL2', 'read'], ['witness', 'read']]);
    // A protect that passes keeps it: status then needs only the store's key.
    const kept = cli('protect', '--job', lockedJob, '--yes', '--ssh-secret-file', secretFile, '--secret-key-file', storeKey);
    expect(kept.status, kept.stdout + kept.stderr).toBe(0);
    const again = cli('status', '--job', lockedJob, '--json', '--secret-key-file', storeKey);
    expect(states(again)).toEqual([['MAIL1', 'read'], ['MAIL2', 'read'], ['witness', 'read']]);
    // Nothing the CLI wrote holds the passphrase.
    const leaks = filesUnder(join(dir, 'data')).filter((f) => readFileSync(f).includes(passphrase));
    expect(leaks).toEqual([]);
    const missing = cli('status', '--job', lockedJob, '--ssh-secret-file', join(dir, 'nope'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/^failguard: The SSH secret file .*nope cannot be read: .*nope does not exist; check the path; give a file whose first line is the key's passphrase or the SSH password\.\n$/);
    expect(missing.stderr).not.toMatch(/\bE[A-Z]{3,}\b/);
  });

  it('reaches a witness that signs in with root\'s password: one sentence without it, refused when wrong, read with it', () => {
    const w = s.hosts.find((h) => h.name === 'witness')!;
    const pwJob = join(dir, 'password.job.json');
    const job = JSON.parse(readFileSync(jobFile, 'utf8')) as { witness: Record<string, unknown> };
    job.witness = { name: 'witness', address: w.address, sshAuth: 'password' };
    writeFileSync(pwJob, JSON.stringify(job));
    const pwFile = join(dir, 'witness-password');
    writeFileSync(pwFile, readFileSync(w.passwordFile!, 'utf8'), { mode: 0o600 });
    const wrongFile = join(dir, 'wrong-password');
    writeFileSync(wrongFile, 'not-the-password\n', { mode: 0o600 });
    const rows = (r: ReturnType<typeof cli>) => (JSON.parse(r.stdout) as Array<{ host: string; state: unknown; error?: string }>).map((h) => [h.host, h.state ? 'read' : h.error]);

    const none = cli('status', '--job', pwJob, '--json');
    expect(none.status).not.toBe(0);
    expect(none.stderr).toBe('failguard: witness is reached with an SSH password, and none was given or kept on this computer; type it in step 2 (or give --ssh-secret-file).\n');
    const wrong = cli('status', '--job', pwJob, '--json', '--ssh-secret-file', wrongFile);
    expect(rows(wrong)).toEqual([['MAIL1', 'read'], ['MAIL2', 'read'], ['witness', `witness (${w.address}:22) refused the sign-in as root; check the user and the password.`]]);
    const right = cli('status', '--job', pwJob, '--json', '--ssh-secret-file', pwFile);
    expect(right.status, right.stderr).toBe(0);
    expect(rows(right)).toEqual([['MAIL1', 'read'], ['MAIL2', 'read'], ['witness', 'read']]);
  });

  it('the target\'s monitor: suspect while the witness still reaches the source, lost only when the source is gone', async () => {
    const monitor = () => (JSON.parse(sh('mail2', 'cat /var/lib/failguard/state.json')) as { monitor?: { state: string; witnessSeesSource: boolean | null; countdownS: number | null } }).monitor;
    const says = (what: string, ok: (m: ReturnType<typeof monitor>) => boolean, ms: number) =>
      until(() => `the monitor to say ${what} (it says ${JSON.stringify(monitor())})`, () => ok(monitor()), ms);
    await says('healthy', (m) => m?.state === 'healthy' && m.witnessSeesSource === true, 20_000);
    // Only the link to the target is cut: the witness still hears MAIL1, so it is never lost, however long.
    expect(lab('cut', 'mail1', 'mail2').code).toBe(0);
    try {
      await says('source-suspect', (m) => m?.state === 'source-suspect', 15_000);
      const text = cli('status', '--job', jobFile).stdout;
      expect(text).toMatch(/→ MAIL2 .*monitor: source-suspect \(alert in \d+ s unless it answers\)/);
      // Past the 10 s timeout (the fast monitor profile), and still only suspect.
      await new Promise((r) => setTimeout(r, 12_000));
      expect(monitor()).toMatchObject({ state: 'source-suspect', witnessSeesSource: true, countdownS: 0 });
    } finally {
      lab('heal', 'mail1', 'mail2');
    }
    await says('healthy again', (m) => m?.state === 'healthy', 15_000);
    // The source really gone: after the 10 s timeout, with the witness agreeing, it is lost.
    expect(lab('kill', 'mail1').code).toBe(0);
    try {
      await says('source-lost', (m) => m?.state === 'source-lost' && m.witnessSeesSource === false, 60_000);
    } finally {
      expect(lab('start', 'mail1').code).toBe(0);
    }
    await says('healthy once MAIL1 is back', (m) => m?.state === 'healthy', 60_000);
  }, 240_000);

  it('a job file edited into nonsense is refused with one sentence, and left as it is', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version": 1, "id": "x"');
    const r = cli('protect', '--job', bad);
    expect(r.status).toBe(64);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not a complete job file/);
    expect(readFileSync(bad, 'utf8')).toBe('{"version": 1, "id": "x"');
  });

  it('unprotect removes agents and points, and keeps the data', () => {
    sh('mail1', 'mkdir -p /srv/mail/fg-keep && echo keep > /srv/mail/fg-keep/f');
    const r = cli('unprotect', '--job', jobFile, '--purge', '--yes');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const h of ['mail1', 'mail2', 'witness']) for (const p of ['/opt/failguard', '/srv/.failguard']) expect(sh(h, `test -e ${p} && echo left || echo gone`).trim(), `${h}:${p}`).toBe('gone');
    expect(sh('mail1', 'cat /srv/mail/fg-keep/f && rm -rf /srv/mail/fg-keep').trim()).toBe('keep');
  });
});
