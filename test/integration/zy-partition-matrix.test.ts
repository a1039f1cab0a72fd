/**
 * The partition matrix on the real agents, in automatic mode (the fast monitor profile, timeout 10 s): every combination
 * of cut links among MAIL1 (source), MAIL2 (target) and the witness, each host killed, and a
 * flapping link. During each case SMTP is probed on both mail servers five times a second: in
 * no case do both accept mail at the same moment, and MAIL2 takes over exactly when MAIL1 is
 * really gone (killed, or cut off from both others) — by itself, the whole failover plan
 * included (DNS and mailbox homes), with every message MAIL1 had replicated readable on MAIL2.
 * Acceptance is probed as a sender sees it: RCPT TO answered 250.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { resolve4 } from '../../electron/directory/dns-client.ts';
import { agentEvents, filesUnder, imapFetchBySubject, inHost, lab, labStatus, promQuery, sendMail, until, newKeyFile } from './helpers.ts';
import { homedOn, mailboxDbsOf, putLabBack } from './failover-helpers.ts';
import { accepting, healAll, monitorOf, NO_FAILOVER_CASES, probed, runNoFailoverCase, ST, SW, type NoFailoverCase } from './partition.ts';
import { s } from './preflight-helpers.ts';
import { SecretStore } from '../../electron/jobs/secret-store.ts';
import { fsOf } from '../lab/host-fs.ts';
import { parsePoint } from '../../shared/points.ts';

const dir = mkdtempSync(join(tmpdir(), 'fg-matrix-'));
const jobFile = join(dir, 'matrix.job.json');
const env = { ...process.env, FAILGUARD_DATA_DIR: join(dir, 'data') };
/** Protecting keeps the job's keys in the encrypted store: the key file a person would give. */
const storeKey = newKeyFile();
const withKey = (args: string[]) => (args[0] === 'protect' && !args.includes('--secret-key-file') ? [...args, '--secret-key-file', storeKey] : args);
const password = readFileSync(s.directory.passwordFile, 'utf8').trim();
const ext = s.receivers.dns;
const tsigSecrets = JSON.parse(readFileSync(ext.secrets, 'utf8')) as Record<string, string>;
const directoryArgs = ['--dc', 'ldaps://dc1.lab.test', '--dns', s.directory.dnsServer, '--user', s.directory.bindDn, '--password-stdin', '--ca', s.directory.caFile, '--dns-secrets', ext.secrets];
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/failguard.js', ...withKey(args)], { encoding: 'utf8', env, timeout: 300_000, input: args.includes('--password-stdin') ? `${password}\n` : '' });
const key = s.hosts[0]!.keyFile;
/** The fast monitor profile (heartbeats every 0.5 s, fence after 3 s, grant after 8 s): the rule's inequality holds as for the standard one. */
const TIMEOUT_S = 10;
/** Long enough that a failover that should not happen would have begun: the witness waits 8 s, the target 10 s (both from the cut). */
const WATCH_MS = 15_000;

const recv = s.receivers;
const alertSecrets = JSON.parse(readFileSync(recv.secrets, 'utf8')) as { smtpUser: string; smtpPassword: string; snmpUser: string; snmpAuthKey: string; snmpPrivKey: string; snmpEngineId: string };
const secretsFile = join(dir, 'alert-secrets.json');
writeFileSync(secretsFile, JSON.stringify({ smtpPassword: alertSecrets.smtpPassword, snmpAuthKey: alertSecrets.snmpAuthKey, snmpPrivKey: alertSecrets.snmpPrivKey, snmpCommunity: 'failguard' }), { mode: 0o600 });
writeFileSync(jobFile, JSON.stringify({
  version: 1, id: '5d2c9e8f-1a3b-4c5d-8e9f-0a1b2c3d4e5f', name: 'Matrix job',
  alerts: [
    { kind: 'smtp', host: recv.submission.address, port: recv.submission.port, from: 'failguard@lab.test', to: ['it@lab.test'], username: alertSecrets.smtpUser, caFile: recv.submission.caFile },
    { kind: 'snmp-v3', host: recv.snmp.address, port: recv.snmp.port, user: alertSecrets.snmpUser, engineId: alertSecrets.snmpEngineId },
    { kind: 'syslog', host: recv.syslog.address, port: recv.syslog.port, transport: 'tcp' },
  ],
  source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key }, targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key }],
  witness: { name: 'witness', address: '198.18.0.13', sshKeyFile: key },
  // One record on BIND too: the sealed account then carries a TSIG secret.
  failover: { mode: 'automatic', timeoutSeconds: TIMEOUT_S, profile: 'fast', dns: [{ zone: 'lab.test', name: 'mail' }, { zone: ext.zone, name: 'mail', type: 'A', server: { address: ext.address, key: ext.key } }] },
  // A short warning age, so that a cut link crosses it within a test (a point every second keeps it well under otherwise).
  health: { rpoWarnSeconds: 4, rpoCriticalSeconds: 600 },
  hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
}, null, 2));

/** The receivers' syslog lines written since this file began (a lab used for an earlier run keeps that run's lines). */
const syslogFrom = existsSync(recv.syslog.log) ? statSync(recv.syslog.log).size : 0;
const syslogLines = () => readFileSync(recv.syslog.log).subarray(syslogFrom).toString('utf8').split('\n');

function protect(): void {
  const r = cli('protect', '--job', jobFile, '--yes', '--alert-secrets', secretsFile, ...directoryArgs);
  expect(r.status, r.stdout + r.stderr).toBe(0);
}

const healthy = () => until(() => `a healthy job (MAIL2 sees ${JSON.stringify(monitorOf('mail2'))}, MAIL1 ${JSON.stringify(monitorOf('mail1'))})`,
  async () => monitorOf('mail2')?.state === 'healthy' && monitorOf('mail1')?.fence === 'serving' && await accepting('198.18.0.11'), 60_000);

beforeAll(async () => {
  protect();
  await healthy();
}, 300_000);
afterAll(() => putLabBack('fg-matrix'), 300_000);

describe('the alert receivers\' secrets', () => {
  it('reach each host in a 0600 file of their own, and no file on this computer nor the agent configuration holds them', () => {
    const needles = [alertSecrets.smtpPassword, alertSecrets.snmpAuthKey, alertSecrets.snmpPrivKey, password];
    for (const h of ['mail1', 'mail2', 'witness']) {
      expect(inHost(s, h, 'stat -c %a /etc/failguard/secrets.json').stdout.trim(), h).toBe('600');
      expect(JSON.parse(inHost(s, h, 'cat /etc/failguard/secrets.json').stdout), h).toEqual({ smtpPassword: alertSecrets.smtpPassword, snmpAuthKey: alertSecrets.snmpAuthKey, snmpPrivKey: alertSecrets.snmpPrivKey });
      const config = inHost(s, h, 'cat /etc/failguard/agent.json').stdout;
      expect(needles.filter((n) => config.includes(n)), h).toEqual([]);
    }
    const files = filesUnder(join(dir, 'data'));
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => { const b = readFileSync(f); return needles.some((n) => b.includes(n)); })).toEqual([]);
  });
});

describe('the data folder of this automatic-mode job, copied', () => {
  it('yields no password, TSIG secret or private key without the store\'s key file: every key is in the store, which opens with nothing in the copy', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'fg-data-copy-'));
    cpSync(join(dir, 'data'), copy, { recursive: true });
    // What a thief would want: the directory password, the TSIG secret, the lease key (as the witness holds it), each agent's key, and every key the store keeps.
    const store = await SecretStore.open(join(dir, 'data', 'secrets.json'), { kind: 'key-file', file: storeKey });
    const keptKeys = store.names('job/').filter((n) => n.includes('/keys/'));
    expect(keptKeys.map((n) => n.replace(/^job\/[^/]+\/keys\//, '')).sort()).toEqual(['pki/agent-mail1.key', 'pki/agent-mail2.key', 'pki/agent-witness.key', 'pki/ca.key', 'pki/lease.key', 'pki/secret-digest.key']);
    const leaseKey = (JSON.parse(inHost(s, 'witness', 'cat /etc/failguard/agent.json').stdout) as { leaseKey: string }).leaseKey;
    const agentKeys = ['mail1', 'mail2', 'witness'].map((h) => inHost(s, h, 'cat /etc/failguard/agent.key').stdout);
    const needles = [password, ...Object.values(tsigSecrets), leaseKey, ...agentKeys, ...keptKeys.map((n) => store.get(n)!)];
    expect(needles.every((n) => n.length >= 16), 'every secret looked for is a real one').toBe(true);
    // The password, the TSIG secrets, the lease key, three agent keys, six kept keys.
    expect(needles).toHaveLength(1 + Object.keys(tsigSecrets).length + 1 + 3 + 6);
    // Each in the forms it could be written in: as it is, in base64, and (when it is base64 itself) its bytes.
    const forms = needles.flatMap((n) => [Buffer.from(n), Buffer.from(Buffer.from(n).toString('base64')), ...(/^[A-Za-z0-9+/]{16,}={0,2}$/.test(n.trim()) ? [Buffer.from(n.trim(), 'base64')] : [])]);
    const files = filesUnder(copy);
    expect(files.length).toBeGreaterThan(10);
    const found = files.filter((f) => { const b = readFileSync(f); return b.includes('PRIVATE KEY') || forms.some((x) => b.includes(x)); });
    expect(found).toEqual([]);
    // The copy's store opens with no key but its own: any other key file is refused, and the entries are sealed.
    await expect(SecretStore.open(join(copy, 'secrets.json'), { kind: 'key-file', file: newKeyFile() })).rejects.toThrow(/does not open/);
    rmSync(copy, { recursive: true, force: true });
  });
});

describe('the partition matrix: no failover while MAIL1 is still there', () => {
  const cases = NO_FAILOVER_CASES.map((c): [string, NoFailoverCase] => [c.name, c]);
  it.each(cases)('%s: never both, no failover, and healthy again after', async (_name, o) => {
    const { probed: r, logs, ...seen } = await runNoFailoverCase(o, WATCH_MS);
    const why = `${JSON.stringify(r)}\nMAIL1's agent:\n${logs.mail1!.join('\n')}\nMAIL2's agent:\n${logs.mail2!.join('\n')}`;
    expect(r.both, why).toBe(0);
    expect(r.mail2, why).toBe(0);
    if (o.mail1Serves) expect(r.mail1 / r.rounds, why).toBeGreaterThan(0.9);
    else expect(seen.source).toMatchObject({ fence: 'fenced' });
    if (o.killed !== 'mail2') expect(seen.target?.state ?? 'healthy').not.toMatch(/failing-over|failed-over/);
    await healthy();
  }, 180_000);
});

describe('a standby\'s RPO thresholds', () => {
  // What Prometheus on recv holds of the job, scraped from node_exporter's textfile collector on each mail host.
  const series = async (name: string, labels = '') => (await promQuery(`${name}{job="Matrix job"${labels}}`)).map((x) => [x.metric.host, x.metric.target ?? null, x.value] as const);
  const rpoOfMail2 = async () => (await series('failguard_rpo_seconds', ',host="MAIL2"')).map(([, , v]) => v);
  const newestAgeS = () => {
    const at = (JSON.parse(inHost(labStatus(), 'mail2', 'cat /var/lib/failguard/state.json').stdout || '{}') as { received?: { newestAt?: number | null } }).received?.newestAt ?? null;
    return at === null ? 'unknown' : Math.round((Date.now() - at) / 1000);
  };

  it('a cut link takes MAIL2 past its warning age: alerted once to the receivers, seen rising in Prometheus, then its clearing once healed; no failover', async () => {
    const lines = (event: string) => syslogLines().filter((l) => new RegExp(`MAIL2 failguard.*job="Matrix job" event="${event}"`).test(l));
    // A cut in an earlier case may have sent a warning whose clearing is still due (it comes once MAIL2 has been current
    // for 10 s); until it has, a new crossing is the same warning and sends nothing. So every earlier warning is cleared first.
    await until(() => `MAIL2's earlier RPO warnings to be cleared (${lines('rpo-warning').length} sent, ${lines('rpo-cleared').length} cleared)`, () => lines('rpo-warning').length === lines('rpo-cleared').length, 40_000, 250);
    const before = { warning: lines('rpo-warning').length, cleared: lines('rpo-cleared').length };
    let seen: number[] = [];
    await until(() => `Prometheus to see MAIL2 current (${JSON.stringify(seen)})`, async () => (seen = await rpoOfMail2()).length === 1 && seen[0]! < 4, 30_000, 500);
    expect(await series('failguard_fenced')).toEqual(expect.arrayContaining([['MAIL1', null, 0], ['MAIL2', null, 1]]));
    expect(await series('failguard_rpo_threshold_seconds', ',host="MAIL2",level="warning"')).toEqual([['MAIL2', null, 4]]);
    const sent = await series('failguard_sent_bytes_total', ',host="MAIL1",target="MAIL2"');
    expect(sent.length === 1 && sent[0]![2] > 0, JSON.stringify(sent)).toBe(true);
    expect(lab('cut', ...ST).code).toBe(0);
    let failing: Array<readonly [string | undefined, string | null, number]> = [];
    try {
      // 4 s late, then the same 10 s as a suspicion before anyone is paged.
      await until(() => `the rpo-warning alert (${lines('rpo-warning').length - before.warning} so far; MAIL2's newest point ${newestAgeS()} s old; its last events: ${JSON.stringify(agentEvents('mail2').slice(-4))})`, () => lines('rpo-warning').length > before.warning, 40_000, 250);
      // By then MAIL2 is 14 s late or more, and Prometheus, scraping MAIL2 over its own link, sees it.
      await until(() => `Prometheus to see MAIL2's RPO rise (${JSON.stringify(seen)})`, async () => (seen = await rpoOfMail2()).length === 1 && seen[0]! > 10, 20_000, 500);
      await until(() => `Prometheus to see MAIL1's sends to MAIL2 fail (${JSON.stringify(failing)})`, async () => (failing = await series('failguard_send_failing', ',host="MAIL1",target="MAIL2"')).length === 1 && failing[0]![2] === 1, 30_000, 500);
    } finally {
      healAll();
    }
    await until(() => `the rpo-cleared alert (${lines('rpo-cleared').length - before.cleared} so far)`, () => lines('rpo-cleared').length > before.cleared, 40_000, 250);
    await until(() => `Prometheus to see MAIL2 current again (${JSON.stringify(seen)})`, async () => (seen = await rpoOfMail2()).length === 1 && seen[0]! < 4, 30_000, 500);
    expect(lines('rpo-warning').length - before.warning).toBe(1);
    expect(lines('rpo-cleared').length - before.cleared).toBe(1);
    expect(monitorOf('mail2')?.state).not.toMatch(/failing-over|failed-over/);
    await healthy();
  }, 120_000);
});

describe('the partition matrix: MAIL1 really gone, MAIL2 takes over by itself', () => {
  const subject = `matrix-${Date.now()}`;

  it('MAIL1 cut off from both: it fences itself, then MAIL2 gets the lease and runs the whole failover plan; never both', async () => {
    for (let i = 0; i < 3; i++) await sendMail('198.18.0.11', 'probe@lab.test', 'user000002@lab.test', `${subject} ${i}`, `message ${i}`);
    const sent = Date.now();
    await until('the messages in a point on MAIL2', () => JSON.parse(inHost(labStatus(), 'mail2', 'cat /var/lib/failguard/state.json').stdout).received.newestAt > sent + 2000, 60_000);
    const cutAt = Date.now();
    lab('cut', ...ST);
    lab('cut', ...SW);
    let tookOverAfterS = 0;
    const r = await probed(async () => {
      await until(() => `MAIL2 to fail over (${JSON.stringify(monitorOf('mail2'))})`, () => monitorOf('mail2')?.state === 'failed-over', 120_000);
      tookOverAfterS = (Date.now() - cutAt) / 1000;
      await new Promise((x) => setTimeout(x, 5000));
    });
    expect(r.both, JSON.stringify(r)).toBe(0);
    expect(r.mail2).toBeGreaterThan(0);
    expect(tookOverAfterS).toBeGreaterThanOrEqual(TIMEOUT_S);
    expect(monitorOf('mail1')).toMatchObject({ fence: 'fenced' });
    // The whole plan ran on MAIL2 by itself: DNS, homes, services, and the replicated mail is there.
    expect(await resolve4('mail.lab.test', s.directory.dnsServer)).toEqual(['198.18.0.12']);
    for (const db of mailboxDbsOf(s, 'MAIL1')) expect(await homedOn(s, db.dn)).toBe(0);
    expect(await imapFetchBySubject('198.18.0.12', 'user000002@lab.test', readFileSync(s.mail.passwordFile, 'utf8').trim(), subject)).toHaveLength(3);
    // The alert that MAIL2 took over arrived at all three receivers, with the job, the event, the host and the time.
    const mails = () => ['new', 'cur'].flatMap((d) => readdirSync(join(recv.submission.maildir, d)).map((f) => readFileSync(join(recv.submission.maildir, d, f), 'utf8')));
    await until('the failover-done mail', () => mails().some((m) => /^Subject: \[Failguard\] Matrix job: failover-done on MAIL2$/m.test(m)), 20_000, 250);
    expect(mails().find((m) => /Matrix job: failover-done on MAIL2/.test(m))).toMatch(/^Time: \d{4}-\d\d-\d\dT/m);
    await until('the failover-done trap', () => /Matrix job[\s\S]*failover-done|failover-done[\s\S]*Matrix job/.test(readFileSync(recv.snmp.log, 'utf8')), 20_000, 250);
    await until('the failover-done syslog line', () => syslogLines().some((l) => /MAIL2 failguard.*job="Matrix job" event="failover-done"/.test(l)), 20_000, 250);
    // Healed, MAIL1 learns that MAIL2 holds the lease and stays fenced.
    healAll();
    const after = await probed(() => new Promise((x) => setTimeout(x, 8000)));
    expect(after.mail1).toBe(0);
    expect(after.mail2).toBe(after.rounds);
    await until(() => `MAIL1 handed over (${JSON.stringify(monitorOf('mail1'))})`, () => monitorOf('mail1')?.fence === 'handed-over', 15_000);
  }, 300_000);

  it('MAIL1 killed: MAIL2 takes over by itself after the timeout; its agent killed in the middle of the plan resumes it', async () => {
    await putLabBack('fg-matrix');
    protect();
    await healthy();
    const steps = () => agentEvents('mail2').filter((e) => e.kind === 'failover');
    let eventsAtKill = 0;
    const r = await probed(async () => {
      expect(lab('kill', 'mail1').code).toBe(0);
      // While the plan re-homes mailboxes (after the lease and the promotion), MAIL2's agent is killed outright;
      // its supervisor starts it again and the run goes on from its journal.
      await until('MAIL2 to re-home mailboxes', () => steps().some((e) => e.kind === 'failover' && e.status === 'running' && e.description?.startsWith('re-home ')), 120_000, 100);
      expect(inHost(labStatus(), 'mail2', "pkill -KILL -f '/opt/failguard/agent.mjs run'").code).toBe(0);
      eventsAtKill = steps().length;
      await until(() => `MAIL2 to fail over (${JSON.stringify(monitorOf('mail2'))})`, () => monitorOf('mail2')?.state === 'failed-over', 120_000);
    });
    expect(r.both).toBe(0);
    expect(await accepting('198.18.0.12')).toBe(true);
    expect(await resolve4('mail.lab.test', s.directory.dnsServer)).toEqual(['198.18.0.12']);
    for (const db of mailboxDbsOf(s, 'MAIL1')) expect(await homedOn(s, db.dn)).toBe(0);
    const after = steps().slice(eventsAtKill);
    expect(after.filter((e) => e.kind === 'failover' && e.step === undefined).map((e) => e.kind === 'failover' && e.status)).toEqual(['applied']);
    // Resumed, not begun again: the promotion before the kill does not run a second time.
    expect(after.filter((e) => e.kind === 'failover' && e.status === 'running' && e.description?.startsWith('bring up the newest'))).toEqual([]);
  }, 400_000);

  it('failback of the automatic job: MAIL1 serves again, and every host has its configuration back, the witness\'s lease key with it', async () => {
    const witnessConfig = () => JSON.parse(inHost(labStatus(), 'witness', 'cat /etc/failguard/agent.json').stdout) as { role: string; leaseKey?: string };
    const before = witnessConfig();
    expect(before.leaseKey).toMatch(/^[A-Za-z0-9+/]{40,}={0,2}$/);
    // MAIL1 went down before it wrote down the last point MAIL2 confirmed (a power cut right after a send): its record is
    // emptied while it is down, so its agent starts without it, takes points and prunes for a while. The failback must still
    // find the point both hold (MAIL2 is asked) and set aside exactly MAIL1's points after it.
    const stateFile = join(fsOf('mail1'), 'var/lib/failguard/state.json');
    const record = JSON.parse(readFileSync(stateFile, 'utf8')) as { targets: Record<string, { lastPoint: string | null }> };
    expect(record.targets.MAIL2!.lastPoint).toMatch(/^p\d{10}-\d{13}$/);
    record.targets.MAIL2!.lastPoint = null;
    writeFileSync(stateFile, JSON.stringify(record));
    const promoted = (JSON.parse(inHost(labStatus(), 'mail2', 'cat /var/lib/failguard/promoted.json').stdout) as { point: string }).point;
    const pointsDir = (JSON.parse(readFileSync(join(fsOf('mail1'), 'etc/failguard/agent.json'), 'utf8')) as { pointsDir: string }).pointsDir;
    expect(lab('start', 'mail1').code).toBe(0);
    await until('MAIL1\'s agent to run', () => inHost(labStatus(), 'mail1', '/opt/failguard/agentd status').code === 0, 30_000);
    // Several of MAIL1's intervals (1 s here): points taken and pruned.
    await new Promise((x) => setTimeout(x, 5000));
    const r = cli('failback', '--job', jobFile, '--yes', ...directoryArgs);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const onMail1 = inHost(labStatus(), 'mail1', `ls ${pointsDir}`).stdout.split('\n').filter(Boolean);
    const aside = onMail1.filter((n) => n.startsWith('diverged-')).map((n) => parsePoint(n.slice('diverged-'.length)));
    expect(aside.length, onMail1.join(' ')).toBeGreaterThan(0);
    expect(aside.filter((p) => p === null || p.seq <= parsePoint(promoted)!.seq), `${promoted}: ${onMail1.join(' ')}`).toEqual([]);
    expect(await resolve4('mail.lab.test', s.directory.dnsServer)).toEqual(['198.18.0.11']);
    for (const db of mailboxDbsOf(s, 'MAIL2')) expect(await homedOn(s, db.dn)).toBe(0);
    // The configurations as provisioning left them (kept on each host, never on this computer): the plan of now is empty.
    expect(witnessConfig()).toEqual(before);
    for (const h of ['mail1', 'mail2', 'witness']) expect(inHost(labStatus(), h, 'ls /etc/failguard').stdout, h).not.toMatch(/before-failback/);
    const again = cli('protect', '--job', jobFile, ...directoryArgs);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to do/m);
    await healthy();
  }, 400_000);
});
