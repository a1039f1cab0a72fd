/**
 * Alerts against the lab's real receivers: mail by submission with STARTTLS (the lab CA) and
 * authentication, SNMP traps v2c and v3 (authPriv), syslog RFC 5424 over UDP and TCP. Each
 * arrives with the job, the event, the host and the time; a receiver that is down is
 * reported in one sentence and holds up nothing.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sendAlert } from '../../agent/src/alerts/send.ts';
import type { AlertEvent, AlertReceiver } from '../../shared/alerts.ts';
import { labStatus, until } from './helpers.ts';

const s = labStatus();
const r = s.receivers;
const secrets = JSON.parse(readFileSync(r.secrets, 'utf8')) as { smtpUser: string; smtpPassword: string; snmpUser: string; snmpAuthKey: string; snmpPrivKey: string; snmpEngineId: string };
const ca = readFileSync(r.submission.caFile, 'utf8');
const receivers: AlertReceiver[] = [
  { kind: 'smtp', host: r.submission.address, port: r.submission.port, from: 'failguard@lab.test', to: ['it@lab.test'], username: secrets.smtpUser, password: secrets.smtpPassword, caPem: ca },
  { kind: 'snmp-v2c', host: r.snmp.address, port: r.snmp.port, community: 'failguard' },
  { kind: 'snmp-v3', host: r.snmp.address, port: r.snmp.port, user: secrets.snmpUser, authKey: secrets.snmpAuthKey, privKey: secrets.snmpPrivKey, engineId: secrets.snmpEngineId },
  { kind: 'syslog', host: r.syslog.address, port: r.syslog.port, transport: 'udp' },
  { kind: 'syslog', host: r.syslog.address, port: r.syslog.port, transport: 'tcp' },
];
const event = (id: string): AlertEvent => ({ job: 'Lab job', event: `source-lost-${id}`, host: 'MAIL1', at: new Date().toISOString(), severity: 'critical', message: `MAIL1 stopped answering (${id}).` });
const mails = () => ['new', 'cur'].flatMap((d) => readdirSync(join(r.submission.maildir, d)).map((f) => readFileSync(join(r.submission.maildir, d, f), 'utf8')));

describe('alerts reach the lab\'s receivers', () => {
  it('arrive at every receiver with the job, the event, the host and the time', async () => {
    const e = event(`${Date.now()}`);
    const out = await sendAlert(receivers, e);
    expect(out.map((d) => [d.receiver, d.ok, d.error])).toEqual(receivers.map((x) => [expect.stringContaining(x.kind), true, undefined]));
    await until('the mail', () => mails().some((m) => m.includes(`Event: ${e.event}`)), 10_000, 250);
    const mail = mails().find((m) => m.includes(`Event: ${e.event}`))!;
    expect(mail).toMatch(/^Subject: \[Failguard\] Lab job: source-lost-\d+ on MAIL1$/m);
    expect(mail).toContain(`Time: ${e.at}`);
    // The submission receiver only takes mail after STARTTLS and AUTH; aiosmtpd notes the TLS session in the headers it adds.
    expect(mail).toMatch(/X-Failguard-Host: MAIL1/);
    await until('two traps', () => readFileSync(r.snmp.log, 'utf8').split(e.event).length - 1 >= 2, 10_000, 250);
    const traps = readFileSync(r.snmp.log, 'utf8');
    expect(traps).toContain('Lab job');
    expect(traps).toContain(e.at);
    await until('two syslog lines', () => readFileSync(r.syslog.log, 'utf8').split(e.event).length - 1 >= 2, 10_000, 250);
    const lines = readFileSync(r.syslog.log, 'utf8').split('\n').filter((l) => l.includes(e.event));
    for (const l of lines) expect(l).toMatch(/MAIL1 failguard.*job="Lab job" event="source-lost-\d+" MAIL1 stopped answering/);
  });

  it('a receiver that is down, or refuses the password, is one sentence and holds up nothing', async () => {
    const e = event(`down-${Date.now()}`);
    const started = Date.now();
    const out = await sendAlert([
      { kind: 'smtp', host: r.submission.address, port: r.submission.port, from: 'failguard@lab.test', to: ['it@lab.test'], username: secrets.smtpUser, password: 'wrong', caPem: ca },
      { kind: 'smtp', host: r.submission.address, port: 2525, from: 'failguard@lab.test', to: ['it@lab.test'], caPem: ca },
      { kind: 'syslog', host: '198.18.0.99', port: 514, transport: 'tcp' },
      receivers[3]!,
    ], e, 4000);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(out.map((d) => d.ok)).toEqual([false, false, false, true]);
    for (const d of out.filter((x) => !x.ok)) {
      expect(d.error!.split('\n')).toHaveLength(1);
      expect(d.error).not.toMatch(/^Error|ECONNREFUSED|EAUTH|at .*\.ts/);
    }
    expect(out[0]!.error).toMatch(/user name or password|refused the sign-in|authentication/i);
  });
});
