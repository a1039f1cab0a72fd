/**
 * Step 3's choices on the lab's pre-flight: the DNS records chosen for failover (AD's zone over
 * LDAP, example.test on BIND with a TSIG key), the services and the alert receivers. Each rule
 * passes on the lab as it is, catches what is wrong, and the TTL rule's fix shortens the TTL
 * of a record in place (checked with dig) and passes again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { PreflightRequest } from '../../shared/preflight.ts';
import { consentTo } from '../../electron/preflight/consent.ts';
import { setDnsRecord } from '../../electron/directory/dns-write.ts';
import { findingsOf, labRequest, preflightOnce, s } from './preflight-helpers.ts';
import { externalDnsBack, withDirectory } from './failover-helpers.ts';

const ext = s.receivers.dns;
const secrets = JSON.parse(readFileSync(ext.secrets, 'utf8')) as Record<string, string>;
const server = { address: ext.address, port: ext.port, key: ext.key, algorithm: 'hmac-sha256' as const };
const choices = (over: Partial<NonNullable<PreflightRequest['choices']>> = {}): NonNullable<PreflightRequest['choices']> => ({
  dns: [{ zone: 'lab.test', name: 'mail', type: 'A', ttl: 60 }, { zone: ext.zone, name: 'mail', type: 'A', ttl: 300, server }, { zone: ext.zone, name: '@', type: 'MX', ttl: 300, server }],
  services: ['dovecot', 'postfix'],
  alerts: [{ kind: 'smtp', host: s.receivers.smtp.address, port: 25, from: 'failguard@lab.test', to: ['ops@lab.test'] }, { kind: 'syslog', host: s.receivers.syslog.address, port: 514, transport: 'tcp' }, { kind: 'snmp-v2c', host: s.receivers.snmp.address, port: 162 }],
  ...over,
});
const RULE_IDS = ['dns-failover-records', 'dns-tsig-accepted', 'dns-failover-ttl', 'failover-services-exist', 'alert-receivers-answer'];
const outcomes = (run: Awaited<ReturnType<typeof preflightOnce>>) => Object.fromEntries(RULE_IDS.map((id) => [id, findingsOf(run, id).map((f) => f.outcome).join(',')]));
const ttlAtDc = () => spawnSync('dig', ['+noall', '+answer', `@${s.directory.dnsServer}`, 'mail.lab.test', 'A'], { encoding: 'utf8' }).stdout.split(/\s+/)[1];

afterAll(async () => {
  await withDirectory(s, (c) => setDnsRecord(c, 'DC=lab,DC=test', 'lab.test', 'mail', 'A', '198.18.0.11'));
  await externalDnsBack(s);
});

describe('pre-flight of step 3\'s choices', () => {
  it('passes on the lab as it is (the AD record\'s 900 s TTL aside), with the evidence of each check', async () => {
    const run = await preflightOnce(labRequest({ choices: choices(), tsigSecrets: secrets }));
    expect(outcomes(run)).toEqual({
      'dns-failover-records': 'pass,pass,pass', 'dns-tsig-accepted': 'pass,pass', 'dns-failover-ttl': 'warning,pass,pass',
      'failover-services-exist': 'pass,pass', 'alert-receivers-answer': 'pass,pass',
    });
    expect(findingsOf(run, 'alert-receivers-answer', 'MAIL1')[0]!.evidence.map((e) => e.value)).toEqual([expect.stringMatching(/^open \(220 /), 'open', expect.stringMatching(/^route, UDP/)]);
  });

  it('catches a key the server does not grant, a service that does not exist, a receiver that does not answer and a missing record', async () => {
    const run = await preflightOnce(labRequest({
      choices: choices({
        dns: [{ zone: 'lab.test', name: 'nosuchname', type: 'A', ttl: 60 }, { zone: ext.zone, name: 'mail', type: 'A', ttl: 300, server: { ...server, key: ext.deniedKey } }],
        services: ['dovecot', 'postfix', 'nosuchd'],
        alerts: [{ kind: 'smtp', host: s.receivers.smtp.address, port: 2525, from: 'failguard@lab.test', to: ['ops@lab.test'] }],
      }),
      tsigSecrets: secrets,
    }));
    expect(outcomes(run)).toMatchObject({ 'dns-failover-records': 'failure,pass', 'dns-tsig-accepted': 'failure', 'failover-services-exist': 'failure,failure', 'alert-receivers-answer': 'warning,warning' });
    expect(findingsOf(run, 'dns-tsig-accepted')[0]!.evidence[0]!.value).toMatch(/refused the update/);
    // The missing AD record is offered a fix that creates it pointing at the source.
    expect(run.plans.find((p) => p.ruleId === 'dns-failover-records')!.steps).toEqual([expect.objectContaining({ kind: 'dns-record', zone: 'lab.test', name: 'nosuchname', values: ['198.18.0.11'], previous: [] })]);
  });

  it('lowers a long TTL ahead of time: the same values, the chosen TTL, checked again', async () => {
    expect(ttlAtDc()).toBe('900');
    const req = labRequest({ choices: choices(), tsigSecrets: secrets });
    const before = await preflightOnce(req);
    const plan = before.plans.find((p) => p.ruleId === 'dns-failover-ttl')!;
    const fixed = await preflightOnce(labRequest({ choices: choices(), tsigSecrets: secrets }), consentTo([plan]));
    expect(fixed.fixes.map((x) => [x.outcome, x.recheck])).toEqual([['applied', 'pass']]);
    expect(ttlAtDc()).toBe('60');
    expect(spawnSync('dig', ['+short', `@${s.directory.dnsServer}`, 'mail.lab.test', 'A'], { encoding: 'utf8' }).stdout.trim()).toBe('198.18.0.11');
  });
});
