import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { findingsOf, labHost, labRequest, pins, preflightOnce, s, sh, testJournalDir } from './preflight-helpers.ts';
import { lab } from './helpers.ts';
import { buildReport } from '../../electron/reports/build-report.ts';
import { renderReport } from '../../electron/reports/write.ts';
import { runPreflightService } from '../../electron/preflight/service.ts';
import { OfferedPlans } from '../../electron/plans/offered.ts';
import { SshPool } from '../../electron/hosts/ssh-pool.ts';
import { runPreflight } from '../../electron/preflight/run.ts';

const out = mkdtempSync(join(tmpdir(), 'fg-reports-'));
afterAll(() => { lab('heal', 'mail2'); });

describe('pre-flight on the lab', () => {
  it('runs every rule on a healthy lab: no failure, no error; the lab\'s known gaps are warnings with fixes', async () => {
    const run = await preflightOnce();
    const bad = run.findings.filter((f) => f.outcome === 'failure' || f.outcome === 'error');
    expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
    expect(new Set(run.findings.map((f) => f.ruleId)).size).toBeGreaterThanOrEqual(60);
    expect(run.findings.filter((f) => f.outcome === 'warning').map((f) => f.ruleId).sort()).toEqual(expect.arrayContaining(['time-sync-configured']));
    expect(run.plans.some((p) => p.ruleId === 'tcp-keepalive')).toBe(true);
    // Consent is explicit: without it, nothing was applied.
    expect(run.fixes).toEqual([]);
  });

  it('writes HTML, PDF, JSON and JUnit reports, with no secret in any of them', async () => {
    const req = labRequest();
    const run = await preflightOnce(req);
    const report = buildReport(req, run, new Date());
    const secrets = [req.directory!.credentials.password, readFileSync(s.testAccounts.passwordFile, 'utf8').trim(), readFileSync(s.mail.passwordFile, 'utf8').trim()];
    const files: Record<string, Buffer | string> = {};
    for (const format of ['html', 'json', 'junit', 'pdf'] as const) files[format] = await renderReport(report, format);
    const json = JSON.parse(String(files.json)) as { schema: string; findings: unknown[]; rules: unknown[]; tool: { version: string } };
    expect(json.schema).toBe('failguard.preflight/1');
    expect(json.findings.length).toBe(run.findings.length);
    expect(String(files.junit)).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(String(files.junit).match(/<testcase /g)!.length).toBe(run.findings.length);
    const html = String(files.html);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html.match(/<tr data-rule=/g)!.length).toBe(run.findings.length);
    expect((files.pdf as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    expect((files.pdf as Buffer).length).toBeGreaterThan(20_000);
    for (const [k, v] of Object.entries(files)) for (const secret of secrets) expect(Buffer.from(v as never).includes(secret), `${k} holds a secret`).toBe(false);
  });

  it('puts no secret in the CLI output, the reports or the logs (grep for the lab passwords)', () => {
    const key = s.hosts[0]!.keyFile;
    const fps = s.hosts.flatMap((h) => ['--accept-host-key', h.hostKeyFingerprint!]);
    const args = ['bin/failguard.js', 'preflight', '--source', 'mail1', '--target', 'mail2', '--witness', 'witness', '--domain', 'lab.test', '--dns', s.directory.dnsServer,
      '--user', s.directory.bindDn, '--password-stdin', '--ca', s.directory.caFile, '--ssh-key', key, ...fps, '--pins', join(out, 'pins.json'), '--report', join(out, 'report.html'), '--format', 'html'];
    const r = spawnSync(process.execPath, args, { input: readFileSync(s.directory.passwordFile, 'utf8'), encoding: 'utf8', env: { ...process.env, FAILGUARD_DATA_DIR: testJournalDir() } });
    expect([0, 1]).toContain(r.status);
    const pinned = JSON.parse(readFileSync(join(out, 'pins.json'), 'utf8')) as Array<{ fingerprint: string }>;
    expect(pinned.map((p) => p.fingerprint).sort()).toEqual(s.hosts.filter((h) => ['mail1', 'mail2', 'witness'].includes(h.name)).map((h) => h.hostKeyFingerprint).sort());
    const secrets = [readFileSync(s.directory.passwordFile, 'utf8').trim(), readFileSync(s.testAccounts.passwordFile, 'utf8').trim(), readFileSync(s.mail.passwordFile, 'utf8').trim()];
    const logDirs = s.hosts.filter((h) => h.name !== 'dc1').map((h) => h.logDir);
    const texts = [r.stdout, r.stderr, ...readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8')),
      ...logDirs.flatMap((d) => readdirSync(d).filter((f) => statSync(join(d, f)).isFile()).map((f) => readFileSync(join(d, f), 'utf8')))];
    for (const t of texts) for (const secret of secrets) expect(t.includes(secret)).toBe(false);
  });
});

describe('cancelling', () => {
  it('stops a running pre-flight with a plain sentence', async () => {
    const ac = new AbortController();
    const stages: string[] = [];
    const run = runPreflightService(labRequest(), { offered: new OfferedPlans(), journalDir: testJournalDir(), signal: ac.signal, onProgress: (st) => { stages.push(st); if (st.startsWith('Probing')) ac.abort(); } });
    await expect(run).rejects.toMatchObject({ code: expect.stringMatching(/cancelled/) });
    expect(stages.some((st) => st.startsWith('Probing'))).toBe(true);
  });
});

describe('a probe that fails is a finding, never a crash', () => {
  it('one host answers SSH but its probe hangs: errors for that host, normal results for the others', async () => {
    // In mail2's own mount namespace only: os-release (/etc/os-release links to it) becomes a FIFO nobody writes, so the probe's cat blocks.
    sh('mail2', 'mkfifo /run/fg-hang && mount --bind /run/fg-hang /usr/lib/os-release');
    try {
      const req = labRequest();
      const pool = new SshPool({ pins: req.pins });
      const started = Date.now();
      let run;
      try {
        run = await runPreflight(req, { pool, probeTimeoutMs: 4000 });
      } finally {
        await pool.closeAll();
      }
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(findingsOf(run, 'ssh-reachable', 'MAIL2')[0]!.outcome).toBe('pass');
      const mail2 = run.findings.filter((f) => f.host === 'MAIL2' && f.ruleId !== 'ssh-reachable' && f.outcome !== 'not-applicable');
      expect(mail2.length).toBeGreaterThan(20);
      expect(new Set(mail2.filter((f) => !f.ruleId.startsWith('dns-') && !f.ruleId.startsWith('dir-')).map((f) => f.outcome))).toEqual(new Set(['error']));
      expect(findingsOf(run, 'target-postfix-stopped', 'MAIL2')[0]!.evidence[0]!.value).toMatch(/took longer than 4 s/);
      // The others were judged normally.
      expect(findingsOf(run, 'source-postfix-running', 'MAIL1')[0]!.outcome).toBe('pass');
      expect(findingsOf(run, 'os-supported', 'MAIL1')[0]!.outcome).toBe('pass');
      expect(findingsOf(run, 'dns-forward-target', 'MAIL2')[0]!.outcome).toBe('pass');
      expect(run.findings.filter((f) => f.host === 'MAIL1' && f.outcome === 'error')).toEqual([]);
    } finally {
      // Opening the FIFO for writing releases the readers still blocked in it; then every layer of the mount goes.
      sh('mail2', "timeout 5 sh -c ': > /usr/lib/os-release'; while grep -q ' /usr/lib/os-release ' /proc/mounts; do umount -l /usr/lib/os-release || break; done; rm -f /run/fg-hang");
      expect(sh('mail2', 'grep -c os-release /proc/mounts || true').trim()).toBe('0');
      expect(sh('mail2', 'timeout 5 head -1 /etc/os-release')).toMatch(/^PRETTY_NAME=/);
    }
  });
});

describe('host keys, keys and reachability: clear outcomes, nothing changed', () => {
  it('an unknown host key stops with its fingerprint', async () => {
    const run = await preflightOnce(labRequest({ pins: pins.filter((p) => p.host !== labHost('mail2').address) }));
    const [f] = findingsOf(run, 'ssh-reachable', 'MAIL2');
    expect(f).toMatchObject({ outcome: 'failure', evidence: [{ value: 'host-key-unknown' }] });
    expect(f!.message).toContain(s.hosts.find((h) => h.name === 'mail2')!.hostKeyFingerprint);
    expect(findingsOf(run, 'target-postfix-stopped', 'MAIL2')[0]!.outcome).toBe('error');
    expect(run.fixes).toEqual([]);
  });

  it('a changed host key stops everything with a warning', async () => {
    const wrong = pins.map((p) => (p.host === labHost('mail2').address ? { ...p, fingerprint: pins.find((x) => x.host === labHost('mail1').address)!.fingerprint } : p));
    const run = await preflightOnce(labRequest({ pins: wrong }));
    const [f] = findingsOf(run, 'ssh-reachable', 'MAIL2');
    expect(f).toMatchObject({ outcome: 'failure', evidence: [{ value: 'host-key-changed' }] });
    expect(f!.message).toMatch(/^WARNING: the host key of MAIL2 has changed/);
  });

  it('a wrong key is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-key-'));
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    const run = await preflightOnce(labRequest({ targets: [labHost('mail2', 'MAIL2', join(dir, 'k'))] }));
    expect(findingsOf(run, 'ssh-reachable', 'MAIL2')[0]).toMatchObject({ outcome: 'failure', evidence: [{ value: 'host-auth-failed' }] });
  });

  it('an unreachable host is reported as such, and its checks as errors', async () => {
    expect(lab('cut', 'mail2').code).toBe(0);
    try {
      const run = await preflightOnce(labRequest());
      expect(findingsOf(run, 'ssh-reachable', 'MAIL2')[0]!.outcome).toBe('failure');
      expect(['host-timeout', 'host-unreachable']).toContain(findingsOf(run, 'ssh-reachable', 'MAIL2')[0]!.evidence[0]!.value);
      expect(findingsOf(run, 'mtu-match', 'MAIL2')[0]!.outcome).toBe('error');
    } finally {
      lab('heal', 'mail2');
    }
    expect(sh('mail2', 'hostname').trim()).toBe('mail2');
  });
});
