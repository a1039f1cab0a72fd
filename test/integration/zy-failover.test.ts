/**
 * Failover and back on the lab, from the command line, with real mail. Unplanned: MAIL1
 * killed; the witness refuses the lease until it too has lost MAIL1 for long enough; then
 * `failguard failover` brings MAIL2 up with every replicated message, repoints mail.lab.test
 * at the DC, re-homes every mailbox of MAIL1's databases, and MAIL1, started again, stays
 * fenced. `failguard failback` brings back what MAIL2 accepted meanwhile. A planned
 * switchover loses nothing at all; a rehearsal changes nothing and replication goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import type { RehearsalReport } from '../../shared/rehearsal-report.ts';
import { subjectDigest } from '../../agent/src/rehearsal-check.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { resolve4 } from '../../electron/directory/dns-client.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { failbackPreview } from '../../electron/failover/failback-preview.ts';
import { greeting } from '../../agent/src/monitor/services.ts';
import { agentEvents, imapFetchBySubject, inHost, lab, labStatus, rcptAccepted, sendMail, until, newKeyFile } from './helpers.ts';
import { EXTERNAL_RECORDS, homedOn as homedOnLab, mailboxDbsOf, putLabBack } from './failover-helpers.ts';
import { encryptMailboxes, fillMailboxes, maildirOf, usersNamed } from './mailbox-load.ts';
import { s } from './preflight-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'fg-failover-'));
const jobFile = join(dir, 'failover.job.json');
const env = { ...process.env, FAILGUARD_DATA_DIR: join(dir, 'data') };
/** Protecting keeps the job's keys in the encrypted store: the key file a person would give. */
const storeKey = newKeyFile();
const withKey = (args: string[]) => (args[0] === 'protect' && !args.includes('--secret-key-file') ? [...args, '--secret-key-file', storeKey] : args);
const password = readFileSync(s.directory.passwordFile, 'utf8').trim();
const ext = s.receivers.dns;
const directoryArgs = ['--dc', 'ldaps://dc1.lab.test', '--dns', s.directory.dnsServer, '--user', s.directory.bindDn, '--password-stdin', '--ca', s.directory.caFile, '--dns-secrets', ext.secrets];
/** The directory account for a rehearsal's mailbox count (a rehearsal writes no DNS, so no TSIG secrets). */
const rehearsalDirectoryArgs = directoryArgs.slice(0, directoryArgs.indexOf('--dns-secrets'));
/** What a DNS server answers, asked with dig (another implementation than the one that wrote it). */
const dig = (server: string, name: string, type: string) => spawnSync('dig', ['+short', `@${server}`, name, type], { encoding: 'utf8' }).stdout.trim().toLowerCase().replace(/\.$/gm, '');
/** Where every chosen record points, at the DC and at BIND. */
const dnsPointsAt = (n: 1 | 2) => {
  // AD's MX names the alias mail.lab.test, which moves with its own A record: the MX itself stays.
  expect(dig(s.directory.dnsServer, 'lab.test', 'MX')).toBe('10 mail.lab.test');
  expect(dig(s.directory.dnsServer, 'mail.lab.test', 'A')).toBe(`198.18.0.1${n}`);
  expect(dig(ext.address, 'mail.example.test', 'A')).toBe(`198.18.0.1${n}`);
  expect(dig(ext.address, 'example.test', 'MX')).toBe(`10 mail${n}.lab.test`);
  expect(dig(ext.address, 'webmail.example.test', 'CNAME')).toBe(`mail${n}.lab.test`);
  expect(dig(ext.address, '_submission._tcp.example.test', 'SRV')).toBe(`0 100 587 mail${n}.lab.test`);
};
const imapPassword = readFileSync(s.mail.passwordFile, 'utf8').trim();
const stateOf = (host: string) => JSON.parse(sh(host, 'cat /var/lib/failguard/state.json').stdout || '{}') as { received: { newest: string | null; newestAt: number | null; lastFrom: string | null }; targets: Record<string, { lastPoint: string | null; fullSends: number; sends: number }> };
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/failguard.js', ...withKey(args)], { encoding: 'utf8', env, timeout: 300_000, input: args.includes('--password-stdin') ? `${password}\n` : '' });
const sh = (host: string, cmd: string) => inHost(labStatus(), host, cmd);
const key = s.hosts[0]!.keyFile;
const dbsOf = (server: string) => mailboxDbsOf(s, server);

writeFileSync(jobFile, JSON.stringify({
  version: 1, id: '3b8e1f0a-6c2d-4f7e-9a1b-2c3d4e5f6a7b', name: 'Failover job',
  source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key }, targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key }],
  witness: { name: 'witness', address: '198.18.0.13', sshKeyFile: key },
  failover: { mode: 'alert', timeoutSeconds: 10, profile: 'fast', dns: [{ zone: 'lab.test', name: 'mail' }, { zone: 'lab.test', name: '@', type: 'MX' },
    ...EXTERNAL_RECORDS.map(([name, type]) => ({ zone: ext.zone, name, type, server: { address: ext.address, key: ext.key } }))] },
  hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
}, null, 2));

const homedOn = (db: string) => homedOnLab(s, db);
const heldOn = (host: string) => (JSON.parse(sh(host, 'cat /var/lib/failguard/state.json').stdout || '{}') as { held?: Array<{ point: string; reason: string }> }).held ?? [];
const monitorOf = (host: string) => (JSON.parse(sh(host, 'cat /var/lib/failguard/state.json').stdout || '{}') as { monitor?: Record<string, unknown> }).monitor;

beforeAll(() => {
  const r = cli('protect', '--job', jobFile, '--yes');
  expect(r.status, r.stdout + r.stderr).toBe(0);
}, 300_000);

afterAll(() => putLabBack('fg-failover'), 300_000);

const subject = `failover-${Date.now()}`;

describe('failover, unplanned, from the command line', () => {

  it('MAIL1 dies after accepting mail that reached a replicated point; the witness refuses the lease until it too has lost MAIL1', async () => {
    for (let i = 0; i < 5; i++) await sendMail('198.18.0.11', 'probe@lab.test', 'user000001@lab.test', `${subject} ${i}`, `message ${i}`);
    const sent = Date.now();
    // Delivered by Postfix to Dovecot, then in a point on MAIL2.
    await until('the messages in a point on MAIL2', () => (monitorOf('mail2') && JSON.parse(sh('mail2', 'cat /var/lib/failguard/state.json').stdout).received.newestAt > sent + 2000), 60_000);
    // One more, accepted by MAIL1 after its link to MAIL2 is cut: it is in MAIL1's points only when MAIL1 dies.
    expect(lab('cut', 'mail1', 'mail2').code).toBe(0);
    await sendMail('198.18.0.11', 'probe@lab.test', 'user000001@lab.test', `${subject} unreplicated`, 'accepted last');
    await until('the last message in a point of MAIL1', () => sh('mail1', `grep -rl '${subject} unreplicated' /srv/.failguard/points/*/vmail 2>/dev/null | head -n 1`).stdout.trim(), 30_000);
    expect(lab('kill', 'mail1').code).toBe(0);
    const early = cli('failover', '--job', jobFile, '--yes', ...directoryArgs);
    expect(early.status).toBe(4);
    // Refused by MAIL2's own promise (it answered MAIL1 moments ago) or by the witness (it heard MAIL1 moments ago).
    expect(early.stdout).toMatch(/Not done \(stopped\): .*(MAIL2 heard MAIL1 within the last \d+ s, so MAIL1 may still be taking mail|did not grant the lease: the witness heard MAIL1 [\d.]+ s ago)/);
    expect(await resolve4('mail.lab.test', s.directory.dnsServer)).toEqual(['198.18.0.11']);
    dnsPointsAt(1);
    expect(sh('mail2', 'test -f /var/lib/failguard/promoted.json && echo yes || echo no').stdout.trim()).toBe('no');
  }, 120_000);

  it('after the timeout the monitor says the source is lost; with the witness down nothing moves; then one command fails over, and MAIL2 serves everything that was replicated', async () => {
    await until(() => `MAIL2's monitor to say source-lost (${JSON.stringify(monitorOf('mail2'))})`, () => monitorOf('mail2')?.state === 'source-lost', 90_000);
    // The witness down too: nothing can prove MAIL1 is gone, so the lease step stops in one sentence and nothing changes.
    expect(lab('kill', 'witness').code).toBe(0);
    const noWitness = cli('failover', '--job', jobFile, '--yes', ...directoryArgs);
    expect(noWitness.status).toBe(4);
    expect(noWitness.stdout).toMatch(/Not done \(stopped\): .*witness/);
    expect(sh('mail2', 'test -f /var/lib/failguard/promoted.json && echo yes || echo no').stdout.trim()).toBe('no');
    expect(await resolve4('mail.lab.test', s.directory.dnsServer)).toEqual(['198.18.0.11']);
    // Started again, the witness counts its own start as word from MAIL1, so the lease waits the whole timeout once more
    // (the fast monitor profile: the witness grants after 8 s, the timeout is 10 s).
    expect(lab('start', 'witness').code).toBe(0);
    await new Promise((r) => setTimeout(r, 10_000));
    await until(() => `MAIL2's monitor to say source-lost again (${JSON.stringify(monitorOf('mail2'))})`, () => monitorOf('mail2')?.state === 'source-lost', 120_000);
    // Without the TSIG key's secret the plan would stop half way, so nothing starts at all.
    const noKey = cli('failover', '--job', jobFile, '--yes', ...directoryArgs.slice(0, -2));
    expect(noKey.status).not.toBe(0);
    expect(noKey.stderr).toMatch(/TSIG key failguard-update, whose secret was not given; .*--dns-secrets\. Nothing was changed\./);
    expect(sh('mail2', 'test -f /var/lib/failguard/promoted.json && echo yes || echo no').stdout.trim()).toBe('no');
    const r = cli('failover', '--job', jobFile, '--yes', ...directoryArgs);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Done: Fail over MAIL1 → MAIL2/m);
    expect(await greeting(25, '198.18.0.12')).toMatch(/^220 mail2\.lab\.test /);
    const got = await imapFetchBySubject('198.18.0.12', 'user000001@lab.test', readFileSync(s.mail.passwordFile, 'utf8').trim(), subject);
    // Every replicated message; the one MAIL1 accepted after its link to MAIL2 was cut never reached MAIL2.
    expect(got).toHaveLength(5);
    expect(await resolve4('mail.lab.test', s.directory.dnsServer)).toEqual(['198.18.0.12']);
    dnsPointsAt(2);
    for (const db of dbsOf('MAIL1')) expect(await homedOn(db.dn)).toBe(0);
    const onMail2 = await Promise.all(dbsOf('MAIL2').map((d) => homedOn(d.dn)));
    expect(onMail2.reduce((a, b) => a + b, 0)).toBe(dbsOf('MAIL1').reduce((a, d) => a + d.mailboxes, 0));
    await until(() => `MAIL2's monitor to say failed-over (${JSON.stringify(monitorOf('mail2'))})`, () => monitorOf('mail2')?.state === 'failed-over', 10_000);
  }, 300_000);

  it('MAIL1, started again, learns from the witness that MAIL2 holds the lease and never serves', async () => {
    expect(lab('start', 'mail1').code).toBe(0);
    expect(lab('heal', 'mail1', 'mail2').code).toBe(0);
    const answers: Array<string | null> = [];
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      answers.push(await greeting(25, '198.18.0.11'));
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(answers.filter((a) => a !== null)).toEqual([]);
    expect(await rcptAccepted('198.18.0.11')).toBe(false);
    expect(monitorOf('mail1')).toMatchObject({ role: 'source', fence: 'handed-over', active: 'MAIL2' });
    // Running it again changes nothing and says so: every step is already in place.
    const again = cli('failover', '--job', jobFile, '--yes', ...directoryArgs);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    // A rehearsal on the standby that now serves is refused before anything changes: it would discard the mail taken since.
    const rehearsed = cli('rehearse', '--job', jobFile, '--yes');
    expect(rehearsed.status, rehearsed.stdout + rehearsed.stderr).toBe(4);
    expect(rehearsed.stdout).toMatch(/MAIL2 serves the mail now \(it took over with the point of .*\), so it cannot be rehearsed on/);
    expect(JSON.parse(sh('mail2', 'cat /var/lib/failguard/promoted.json').stdout)).not.toHaveProperty('rehearsal');
    expect(await greeting(25, '198.18.0.12')).toMatch(/^220 /);
    expect(sh('mail2', 'failguard_agent() { /opt/failguard/bin/node /opt/failguard/agent.mjs "$@"; }; failguard_agent unpromote /etc/failguard/agent.json --discard 2>&1; echo "exit $?"').stdout).toMatch(/for a failover, not a rehearsal; its data is never discarded[\s\S]*exit [1-9]/);
    expect(await greeting(25, '198.18.0.12')).toMatch(/^220 /);
  }, 120_000);
});

describe('failback, then a planned switchover and back, then a rehearsal', () => {
  const during = `during-failover-${Date.now()}`;

  it('failback: what MAIL2 accepted while it served comes back to MAIL1; DNS and homes are MAIL1\'s again; replication to MAIL2 goes on', async () => {
    for (let i = 0; i < 3; i++) await sendMail('198.18.0.12', 'probe@lab.test', 'user000003@lab.test', `${during} ${i}`, `message ${i}`);
    // Some 4 MB more written on MAIL2 while it served: the preview must see them travel back.
    sh('mail2', 'head -c 4M /dev/urandom > /srv/mail/fg-written-on-mail2 && sync');
    const shown = cli('failback', '--job', jobFile, ...directoryArgs);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/Fail back MAIL2 → MAIL1/);
    expect(shown.stdout).toMatch(/^About [\d.]+ MB changed on MAIL2 since the newest point both hold \(p\d{10}-\d{13}\) travels back to MAIL1 while users keep working/m);
    const job = parseJob(readFileSync(jobFile, 'utf8'));
    const preview = await failbackPreview(job, job.targets[0]!);
    expect(preview.bytes, preview.sentence).toBeGreaterThan(4 * 2 ** 20);
    const r = cli('failback', '--job', jobFile, '--yes', ...directoryArgs);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // What the reverse sync carried (MAIL2's sends to MAIL1, its first as a source) is within a fifth of the preview.
    const sentBack = (JSON.parse(sh('mail2', 'cat /var/lib/failguard/state.json').stdout) as { targets: Record<string, { bytesRaw: number; fullSends: number }> }).targets.MAIL1!;
    expect(sentBack.fullSends).toBe(0);
    expect(Math.abs(preview.bytes! - sentBack.bytesRaw) / sentBack.bytesRaw, `preview ${preview.bytes}, sent ${sentBack.bytesRaw}`).toBeLessThan(0.2);
    process.stdout.write(`failback preview: ${preview.bytes} bytes; sent back: ${sentBack.bytesRaw} bytes\n`);
    expect(await greeting(25, '198.18.0.11')).toMatch(/^220 mail1\.lab\.test /);
    expect(await greeting(25, '198.18.0.12')).toBeNull();
    expect(await imapFetchBySubject('198.18.0.11', 'user000003@lab.test', imapPassword, during)).toHaveLength(3);
    expect(await resolve4('mail.lab.test', s.directory.dnsServer)).toEqual(['198.18.0.11']);
    dnsPointsAt(1);
    for (const db of dbsOf('MAIL2')) expect(await homedOn(db.dn)).toBe(0);
    expect(monitorOf('mail1')).toMatchObject({ role: 'source', fence: 'serving', active: 'MAIL1' });
    // What MAIL1 accepted last and never shipped is not lost: its points are kept aside on MAIL1 (diverged-…).
    expect(sh('mail1', `grep -rl '${subject} unreplicated' /srv/.failguard/points/diverged-*/vmail 2>/dev/null | wc -l`).stdout.trim()).not.toBe('0');
    // Replication from MAIL1 resumes from the point both hold: no full send.
    const full = stateOf('mail1').targets.MAIL2?.fullSends ?? 0;
    const since = Date.now();
    await until(() => `MAIL2 to receive from MAIL1 again (${JSON.stringify(stateOf('mail2').received)})`, () => stateOf('mail2').received.lastFrom === 'MAIL1' && (stateOf('mail2').received.newestAt ?? 0) > since, 60_000);
    expect(stateOf('mail1').targets.MAIL2?.fullSends ?? 0).toBe(full);
    await until(() => `MAIL2's monitor healthy (${JSON.stringify(monitorOf('mail2'))})`, () => monitorOf('mail2')?.state === 'healthy', 30_000);
  }, 300_000);

  it('a planned switchover loses nothing at all: mail accepted by MAIL1 a moment before is on MAIL2', async () => {
    const last = `planned-${Date.now()}`;
    for (let i = 0; i < 3; i++) await sendMail('198.18.0.11', 'probe@lab.test', 'user000004@lab.test', `${last} ${i}`, `message ${i}`);
    const r = cli('failover', '--job', jobFile, '--planned', '--yes', ...directoryArgs);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Done: Switch over MAIL1 → MAIL2/m);
    expect(await imapFetchBySubject('198.18.0.12', 'user000004@lab.test', imapPassword, last)).toHaveLength(3);
    expect(await greeting(25, '198.18.0.11')).toBeNull();
    expect(await resolve4('mail.lab.test', s.directory.dnsServer)).toEqual(['198.18.0.12']);
    const back = cli('failback', '--job', jobFile, '--yes', ...directoryArgs);
    expect(back.status, back.stdout + back.stderr).toBe(0);
    expect(await imapFetchBySubject('198.18.0.11', 'user000004@lab.test', imapPassword, last)).toHaveLength(3);
    expect(await resolve4('mail.lab.test', s.directory.dnsServer)).toEqual(['198.18.0.11']);
  }, 400_000);

  it('a scheduled rehearsal runs once its slot has passed (cron\'s --if-due), and its report proves the copy served: the point\'s age, each step\'s time, the time to service, a test message read back over IMAP, every mailbox of the directory on the copy', async () => {
    // The same job, rehearsing daily at the minute that just passed, saved two days ago (so that slot is owed).
    const at = new Date(Date.now() - 60_000);
    const hhmm = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
    const scheduled = join(dir, 'scheduled.job.json');
    const write = (time: string) => {
      writeFileSync(scheduled, JSON.stringify({ ...JSON.parse(readFileSync(jobFile, 'utf8')), rehearsals: { every: 'day', time } }));
      const t = new Date(Date.now() - 2 * 86400_000);
      utimesSync(scheduled, t, t);
    };
    // Its own data folder, so the reports of the other rehearsals of this job are not counted.
    const own = { ...env, FAILGUARD_DATA_DIR: join(dir, 'scheduled-data') };
    const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/failguard.js', ...args], { encoding: 'utf8', env: own, timeout: 300_000, input: args.includes('--password-stdin') ? `${password}\n` : '' });
    const reports = () => JSON.parse(cli('rehearsals', '--job', scheduled, '--json').stdout) as Array<{ name: string; trigger: string; outcome: string }>;
    // Not due yet: the day's slot is two minutes ahead, and yesterday's is answered by nothing but the job was saved after it.
    const ahead = new Date(Date.now() + 120_000);
    write(`${String(ahead.getHours()).padStart(2, '0')}:${String(ahead.getMinutes()).padStart(2, '0')}`);
    expect(reports()).toEqual([]);
    utimesSync(scheduled, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const early = cli('rehearse', '--job', scheduled, '--if-due', ...rehearsalDirectoryArgs);
    expect(early.status, early.stdout + early.stderr).toBe(0);
    expect(early.stdout).toMatch(/^No rehearsal is due \(every day at \d\d:\d\d; the next at /);
    expect(reports()).toEqual([]);
    write(hhmm);
    const r = cli('rehearse', '--job', scheduled, '--if-due', ...rehearsalDirectoryArgs);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^A rehearsal is due since /);
    expect(r.stdout).toMatch(/^Rehearsal passed: /m);
    expect(reports()).toMatchObject([{ trigger: 'schedule', outcome: 'passed' }]);
    // Answered: run again by cron, it does nothing.
    const again = cli('rehearse', '--job', scheduled, '--if-due', ...rehearsalDirectoryArgs);
    expect(again.stdout).toMatch(/^No rehearsal is due/);
    expect(reports()).toHaveLength(1);
    // The report, as JSON, HTML and PDF.
    const out = (f: string) => join(dir, `report.${f}`);
    for (const f of ['json', 'html', 'pdf']) {
      const w = cli('rehearsals', '--job', scheduled, '--report', 'latest', '--format', f, '--out', out(f));
      expect(w.status, w.stdout + w.stderr).toBe(0);
    }
    expect(readFileSync(out('pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(out('html'), 'utf8')).toContain('data-outcome="passed"');
    const rep = JSON.parse(readFileSync(out('json'), 'utf8')) as RehearsalReport;
    expect(rep).toMatchObject({ schema: 'failguard.rehearsal/1', trigger: 'schedule', target: 'MAIL2', outcome: 'passed', problems: [], plan: { outcome: 'applied' } });
    expect(rep.point.name).toMatch(/^p\d{10}-\d{13}$/);
    expect(rep.point.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(rep.point.ageSeconds).toBeLessThan(60);
    expect(rep.steps.map((x) => x.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied']);
    expect(rep.steps.every((x) => x.seconds !== null && x.seconds >= 0)).toBe(true);
    const served = (rep.steps.slice(0, 3) as Array<{ seconds: number }>).reduce((n, x) => n + x.seconds, 0);
    // From the start to the services verified: at least the three steps up to them (each rounded to 10 ms).
    expect(rep.timeToServiceSeconds).toBeGreaterThanOrEqual(served - 0.02);
    expect(rep.timeToServiceSeconds).toBeLessThan(120);
    expect(rep.testMessage).toMatchObject({ delivered: true, readBack: true, error: null });
    expect(rep.testMessage!.to).toMatch(/^user\d{6}@lab\.test$/);
    expect(rep.mailboxes).toMatchObject({ directory: 500, onCopy: 500, missingCount: 0, extraCount: 0, censusError: null, directoryError: null });
    expect(rep.mailboxes!.withMail).toBeGreaterThan(0);
    // The copy was discarded with the test message: MAIL2 is a standby again, and MAIL1 never saw it.
    expect(sh('mail2', 'test -f /var/lib/failguard/promoted.json && echo yes || echo no').stdout.trim()).toBe('no');
    expect(await imapFetchBySubject('198.18.0.11', rep.testMessage!.to, imapPassword, `Failguard rehearsal ${rep.testMessage!.token}`)).toHaveLength(0);
    expect(sh('mail2', 'postqueue -j').stdout).not.toContain(rep.testMessage!.token);
  }, 300_000);

  it('a rehearsal starts a copy on MAIL2, checks it, discards it, and changes nothing else; replication never stops', async () => {
    const before = stateOf('mail2').received.newestAt ?? 0;
    const r = cli('rehearse', '--job', jobFile, '--yes');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/applied +MAIL2: .*rehearsal-check/);
    // Without a directory account the report says the mailboxes were not counted against it: passed, with that warning.
    expect(r.stdout).toMatch(/^Rehearsal warning: The directory was not read/m);
    expect(JSON.parse(cli('rehearsals', '--job', jobFile, '--json').stdout)[0]).toMatchObject({ trigger: 'command', outcome: 'warning' });
    expect(await greeting(25, '198.18.0.12')).toBeNull();
    expect(await greeting(25, '198.18.0.11')).toMatch(/^220 /);
    expect(await resolve4('mail.lab.test', s.directory.dnsServer)).toEqual(['198.18.0.11']);
    expect(sh('mail2', 'test -f /var/lib/failguard/promoted.json && echo yes || echo no').stdout.trim()).toBe('no');
    expect(stateOf('mail2').received.newestAt ?? 0).toBeGreaterThan(before);
  }, 180_000);

  it('a service that will not start: the rehearsal says which and why, and undoes what it started; MAIL1 serves on', async () => {
    sh('mail2', 'postconf -e queue_directory=/srv/mail/no-such-queue');
    try {
      const r = cli('rehearse', '--job', jobFile, '--yes');
      expect(r.status).toBe(4);
      expect(r.stdout).toMatch(/Not done \(undone\): .*On MAIL2, postfix did not start \(.*\); the services it had started were stopped again\. See its log/);
      expect(sh('mail2', 'test -f /var/lib/failguard/promoted.json && echo yes || echo no').stdout.trim()).toBe('no');
      expect(await greeting(143, '198.18.0.12')).toBeNull();
      expect(await greeting(25, '198.18.0.11')).toMatch(/^220 /);
    } finally {
      sh('mail2', 'postconf -e queue_directory=/srv/mail/queue');
    }
  }, 180_000);
});

describe('a point in time', () => {
  const marker = '/srv/mail/fg-point-in-time';
  const newestOnMail2After = (t: number) => until(() => `a point newer than ${new Date(t).toISOString()} on MAIL2 (${JSON.stringify(stateOf('mail2').received)})`, () => (stateOf('mail2').received.newestAt ?? 0) > t, 60_000);

  it('points lists what MAIL2 holds; a switchover --at brings up exactly the point chosen and holds the newer ones; failback brings MAIL1 back to it', async () => {
    sh('mail1', `echo clean > ${marker} && sync`);
    await newestOnMail2After(Date.now() + 500);
    const cleanAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    // The damage, replicated like any change.
    sh('mail1', `echo damaged > ${marker} && sync`);
    await newestOnMail2After(Date.now() + 500);

    const listed = cli('points', '--job', jobFile, '--json');
    expect(listed.status, listed.stderr).toBe(0);
    const [mail2] = JSON.parse(listed.stdout) as Array<{ host: string; rows: Array<{ point: string; at: number; bytes: number | null; held: unknown }>; estimate: { sentence: string } }>;
    expect(mail2!.host).toBe('MAIL2');
    expect(mail2!.rows.length).toBeGreaterThan(3);
    // Sizes are the send streams of the points received since the agent started: small increments, each a few KB at least.
    const sized = mail2!.rows.filter((r) => r.bytes !== null);
    expect(sized.length).toBeGreaterThan(2);
    expect(sized.every((r) => r.bytes! > 0)).toBe(true);
    expect(mail2!.estimate.sentence).toMatch(/^Keeping the newest 60 points, one an hour for 24 hours, one a day for 7 days reaches back 7 days/);

    // The plan names the point the time picks, and that point holds the clean file.
    const at = new Date(cleanAt).toISOString();
    const shown = cli('failover', '--job', jobFile, '--planned', '--at', at, ...directoryArgs);
    expect(shown.status, shown.stderr).toBe(0);
    const chosen = /^MAIL2 brings up the point taken \S+ \((p\d{10}-\d{13})\); its (\d+) newer points?/m.exec(shown.stdout);
    expect(chosen, shown.stdout).not.toBeNull();
    expect(Number(chosen![2])).toBeGreaterThan(0);
    expect(sh('mail2', `cat /srv/.failguard/received/${chosen![1]}/fg-point-in-time`).stdout.trim()).toBe('clean');
    expect(shown.stdout).toContain(`--at ${new Date(Number(chosen![1]!.split('-')[1])).toISOString()}`);

    const r = cli('failover', '--job', jobFile, '--planned', '--at', at, '--yes', ...directoryArgs);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Done: Switch over MAIL1 → MAIL2/m);
    expect(sh('mail2', `cat ${marker}`).stdout.trim()).toBe('clean');
    expect(JSON.parse(sh('mail2', 'cat /var/lib/failguard/promoted.json').stdout)).toMatchObject({ point: chosen![1] });
    // Every newer point is held, the damaged one with them (MAIL1's last point, shipped by the switchover).
    const held = heldOn('mail2');
    expect(held.length).toBeGreaterThanOrEqual(Number(chosen![2]));
    expect(held.every((h) => /newer than p\d+-\d+, which a failover brought up/.test(h.reason))).toBe(true);
    const damaged = held.filter((h) => sh('mail2', `cat /srv/.failguard/received/${h.point}/fg-point-in-time 2>/dev/null`).stdout.trim() === 'damaged');
    expect(damaged.length).toBeGreaterThan(0);
    expect(await greeting(25, '198.18.0.12')).toMatch(/^220 /);

    const back = cli('failback', '--job', jobFile, '--yes', ...directoryArgs);
    expect(back.status, back.stdout + back.stderr).toBe(0);
    expect(sh('mail1', `cat ${marker}`).stdout.trim()).toBe('clean');
    // The held points stay held through failback, until a person releases them.
    expect(heldOn('mail2').map((h) => h.point).sort()).toEqual(held.map((h) => h.point).sort());
    const release = cli('release', '--job', jobFile, '--target', 'MAIL2', '--all', '--yes');
    expect(release.status, release.stdout + release.stderr).toBe(0);
    await until(() => `MAIL2's state to show no held point (${heldOn('mail2').length})`, () => heldOn('mail2').length === 0, 10_000);
  }, 400_000);
});

describe('the ransomware tripwire', () => {
  const users = usersNamed(20);
  const maildir = maildirOf;
  const tag = `tripwire-${Date.now()}`;

  it('20 mailboxes encrypted in place on MAIL1: MAIL2 alerts within a minute, holds the point before, and a rehearsal from it reads the mail in the clear', async () => {
    // Three messages of about 54 kB for each user, in six batches (six points with files to judge: the tripwire learns the job's pattern).
    await fillMailboxes(sh, users, tag);
    const filledAt = Date.now();
    await until(() => `a point with the messages on MAIL2 (${JSON.stringify(stateOf('mail2').received)})`, () => (stateOf('mail2').received.newestAt ?? 0) > filledAt + 500, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    const tripwireOf = () => (JSON.parse(sh('mail2', 'cat /var/lib/failguard/state.json').stdout) as { tripwire?: { state: string; lastClean: string | null } }).tripwire;
    expect(tripwireOf()?.state).toBe('armed');

    const encryptedAt = Date.now();
    encryptMailboxes(sh, users);
    const fired = await until(() => `the tripwire on MAIL2 (${JSON.stringify(tripwireOf())})`, () => agentEvents('mail2').find((e) => e.kind === 'alert' && e.event === 'tripwire' && e.at >= encryptedAt), 60_000, 500);
    const secondsToAlert = (fired.at - encryptedAt) / 1000;
    expect(secondsToAlert).toBeLessThan(60);
    const t = tripwireOf()!;
    expect(t.state).toBe('fired');
    expect(t.lastClean).toMatch(/^p\d{10}-\d{13}$/);
    // The last clean point is held, and holds the messages in the clear.
    await until(() => `MAIL2 to hold ${t.lastClean} (${JSON.stringify(heldOn('mail2'))})`, () => heldOn('mail2').some((h) => h.point === t.lastClean), 5_000, 250);
    expect(sh('mail2', `cat /srv/.failguard/received/${t.lastClean}${maildir(users[0]!).slice('/srv/mail'.length)}/new/${tag}-0.mail1 | head -3`).stdout).toContain(`Subject: ${tag} ${users[0]} 0`);
    // Its newest point holds the ciphertext (no Subject line left).
    expect(sh('mail2', `grep -c 'Subject: ${tag}' /srv/.failguard/received/${stateOf('mail2').received.newest ?? 'none'}${maildir(users[0]!).slice('/srv/mail'.length)}/new/${tag}-0.mail1`).stdout.trim()).toBe('0');

    // A rehearsal of the newest point finds the first user's first message unreadable; one from the last clean point reads it in the clear.
    const newest = cli('rehearse', '--job', jobFile, '--yes');
    expect(newest.status, newest.stdout + newest.stderr).toBe(0);
    expect(newest.stdout).toMatch(new RegExp(`IMAP opened ${users[0]}@lab\\.test's inbox on the copy: \\d+ messages; the first has no subject Dovecot can read`));
    const at = new Date(Number(t.lastClean!.split('-')[1])).toISOString();
    const r = cli('rehearse', '--job', jobFile, '--at', at, '--yes');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`MAIL2 brings up the point taken ${at} (${t.lastClean})`);
    // The first message's subject reads again: the report gives its digest (a person's subject is never written out), one of the three filled.
    const digest = new RegExp(`IMAP opened ${users[0]}@lab\\.test's inbox on the copy: \\d+ messages; the first has a subject that reads \\((sha256:[0-9a-f]{16})\\)`).exec(r.stdout)?.[1];
    expect([0, 1, 2].map((k) => subjectDigest(`${tag} ${users[0]} ${k}`))).toContain(digest);
    process.stdout.write(`tripwire: ${users.length} mailboxes encrypted, alert after ${secondsToAlert.toFixed(1)} s\n`);
    expect(cli('release', '--job', jobFile, '--target', 'MAIL2', '--all', '--yes').status).toBe(0);
  }, 300_000);
});

