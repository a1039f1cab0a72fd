/** DNS records as failover writes them: values parsed and compared, AD's dnsRecord bytes, TSIG on a real BIND answer, and the plan's DNS steps. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as dnsPacket from 'dns-packet';
import { canonicalIpv6, parseRecordValue, pointedAt, sameRecordValues } from '../../shared/dns-record.ts';
import { decodeDnsRecord, encodeDnsRecord } from '../../electron/directory/dns-write.ts';
import { signMessage, verifyAnswer, type TsigKey } from '../../electron/directory/tsig.ts';
import { dnsSteps } from '../../electron/failover/dns-steps.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { RULES } from '../../electron/preflight/rules/index.ts';
import { goodFacts } from './rules/facts-builder.ts';

describe('record values', () => {
  it('parses each type into one canonical form and says in words what is wrong', () => {
    expect(parseRecordValue('MX', '10 Mail2.Lab.Test.')).toEqual({ type: 'MX', preference: 10, exchange: 'mail2.lab.test' });
    expect(parseRecordValue('SRV', '0 100 587 mail2.lab.test')).toEqual({ type: 'SRV', priority: 0, weight: 100, port: 587, target: 'mail2.lab.test' });
    expect(canonicalIpv6('2001:DB8:0:0:0:0:0:12')).toBe('2001:db8::12');
    expect(canonicalIpv6('2001:db8::1::2')).toBeNull();
    expect(parseRecordValue('A', '198.18.0.300')).toBe('"198.18.0.300" is not an IPv4 address');
    expect(parseRecordValue('MX', 'mail2.lab.test')).toMatch(/^"mail2.lab.test" is not an MX value/);
    expect(sameRecordValues('CNAME', ['Mail2.lab.test.'], ['mail2.lab.test'])).toBe(true);
    expect(sameRecordValues('A', ['198.18.0.11', '198.18.0.12'], ['198.18.0.12'])).toBe(false);
  });

  it('points a record at the new server, keeping what is not about the server', () => {
    const from = { name: 'MAIL1', address: '198.18.0.11', fqdn: 'mail1.lab.test' };
    const to = { name: 'MAIL2', address: '198.18.0.12', fqdn: 'mail2.lab.test' };
    expect(pointedAt('A', from, to, ['198.18.0.11'])).toEqual({ values: ['198.18.0.12'] });
    expect(pointedAt('MX', from, to, ['20 mail1.lab.test', '30 backup.example.net'])).toEqual({ values: ['20 mail2.lab.test', '30 backup.example.net'] });
    expect(pointedAt('MX', from, to, ['10 mail.lab.test'])).toEqual({ values: ['10 mail.lab.test'] });
    expect(pointedAt('SRV', from, to, ['0 100 587 mail1.lab.test'])).toEqual({ values: ['0 100 587 mail2.lab.test'] });
    expect(pointedAt('CNAME', from, to, [])).toEqual({ values: ['mail2.lab.test'] });
    expect(pointedAt('AAAA', from, to, [])).toMatch(/MAIL2 has no IPv6 address in the job/);
    expect(pointedAt('SRV', from, to, [])).toMatch(/priority, weight and port are unknown/);
  });
});

describe('AD dnsRecord values (MS-DNSP 2.3.2.2)', () => {
  it('encodes the documented example byte for byte', () => {
    expect(encodeDnsRecord('A', '10.0.0.5', 3600, 1).toString('hex')).toBe('0400010005f00000010000000000' + '0e10' + '0000000000000000' + '0a000005');
  });

  it.each([
    ['MX', '10 mail2.lab.test', 15], ['SRV', '0 100 587 mail2.lab.test', 33], ['CNAME', 'mail2.lab.test', 5], ['AAAA', '2001:db8::12', 28], ['PTR', 'mail2.lab.test', 12],
  ] as const)('%s: what is written reads back the same, with its type and TTL', (type, value, code) => {
    const b = encodeDnsRecord(type, value, 60, 7);
    expect(decodeDnsRecord(b)).toEqual({ type: code, value, ttl: 60 });
  });

  it('writes names as DNS_COUNT_NAME and numbers in network order', () => {
    const mx = encodeDnsRecord('MX', '10 mail.ex.com');
    expect(mx.subarray(24).toString('hex')).toBe('000a' + '0d03046d61696c026578' + '03636f6d00');
  });
});

describe('TSIG (RFC 8945)', () => {
  const fx = JSON.parse(readFileSync(new URL('../fixtures/tsig-bind-answer.json', import.meta.url), 'utf8')) as { key: TsigKey; requestMac: string; answer: string; request: string; at: number };
  const answer = Buffer.from(fx.answer, 'base64');
  const mac = Buffer.from(fx.requestMac, 'base64');

  it('accepts the signed answer BIND 9 gave to a signed update', () => {
    expect(verifyAnswer(answer, fx.key, mac, fx.at)).toBeNull();
  });

  it('refuses it when one byte, the secret, the request or the time differs', () => {
    const tampered = Buffer.from(answer);
    tampered[3]! ^= 0x01;
    expect(verifyAnswer(tampered, fx.key, mac, fx.at)).toMatch(/wrong signature/);
    expect(verifyAnswer(answer, { ...fx.key, secret: Buffer.alloc(32, 1).toString('base64') }, mac, fx.at)).toMatch(/wrong signature/);
    expect(verifyAnswer(answer, fx.key, Buffer.alloc(32), fx.at)).toMatch(/wrong signature/);
    expect(verifyAnswer(answer, fx.key, mac, fx.at + 3600_000)).toMatch(/BADTIME/);
    expect(verifyAnswer(answer.subarray(0, answer.length - 1), fx.key, mac, fx.at)).not.toBeNull();
  });

  it('signs a request the way BIND checked it: the same bytes for the same time, one more additional record', () => {
    const req = Buffer.from(fx.request, 'base64');
    const decoded = dnsPacket.decode(req);
    expect(decoded.additionals?.map((a) => a.type)).toEqual(['TSIG']);
    // The TSIG record: owner name (wire form of the key name), 10 bytes of type/class/TTL/length, then its data.
    const rdata = (decoded.additionals![0] as unknown as { data: Buffer }).data;
    const start = req.length - rdata.length - 10 - (fx.key.name.length + 2);
    const timeSigned = rdata.readUIntBE('hmac-sha256'.length + 2, 6);
    const unsigned = Buffer.from(req.subarray(0, start));
    unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
    const again = signMessage(unsigned, fx.key, timeSigned * 1000);
    expect(again.signed.equals(req)).toBe(true);
    expect(again.requestMac.equals(mac)).toBe(true);
  });
});

describe('the DNS steps of a failover', () => {
  const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' },
    targets: [{ name: 'MAIL2', address: '198.18.0.12' }], witness: { name: 'witness', address: '198.18.0.13' },
    failover: { dns: [{ zone: 'lab.test', name: 'mail' }, { zone: 'lab.test', name: '@', type: 'MX' },
      { zone: 'example.test', name: '_submission._tcp', type: 'SRV', server: { address: '198.18.0.20', key: 'failguard-update' }, ttl: 30 }] } }));
  // The MX names the alias mail.lab.test, which moves with its own A record.
  const now = [{ zone: 'lab.test', name: 'mail', type: 'A', values: ['198.18.0.11'], ttl: 900 }, { zone: 'lab.test', name: '@', type: 'MX', values: ['10 mail.lab.test'], ttl: 900 },
    { zone: 'example.test', name: '_submission._tcp', type: 'SRV', values: ['0 100 587 mail1.lab.test'], ttl: 300 }];

  it('points each record at the target, asks the DC for AD records and the record\'s own server for the others; a record that does not name the source is left alone', () => {
    const [m1, m2] = [{ name: 'MAIL1', address: '198.18.0.11', fqdn: 'mail1.lab.test' }, { name: 'MAIL2', address: '198.18.0.12', fqdn: 'mail2.lab.test' }];
    const all = dnsSteps(job, now, m1, m2, ['198.18.0.10']);
    expect(all.map((s) => s.kind === 'dns-record' && [s.name, s.type, s.values, s.previous, s.ttl, s.askServers, s.server?.key ?? 'ad'])).toEqual([
      ['mail', 'A', ['198.18.0.12'], ['198.18.0.11'], 60, ['198.18.0.10'], 'ad'],
      ['_submission._tcp', 'SRV', ['0 100 587 mail2.lab.test'], ['0 100 587 mail1.lab.test'], 30, ['198.18.0.20'], 'failguard-update'],
    ]);
    // An MX that names the source itself is repointed; failback points it back.
    const named = now.map((d) => (d.type === 'MX' ? { ...d, values: ['10 mail1.lab.test'] } : d));
    const mx = dnsSteps(job, named, m1, m2, ['198.18.0.10']).find((s) => s.kind === 'dns-record' && s.type === 'MX');
    expect(mx).toMatchObject({ values: ['10 mail2.lab.test'], previous: ['10 mail1.lab.test'] });
    const back = dnsSteps(job, named.map((d) => (d.type === 'MX' ? { ...d, values: ['10 mail2.lab.test'] } : d)), m2, m1, ['198.18.0.10'], true).find((s) => s.kind === 'dns-record' && s.type === 'MX');
    expect(back).toMatchObject({ values: ['10 mail1.lab.test'], description: 'point lab.test (MX) back at MAIL1' });
  });

  it('refuses a job whose DNS record is not what a record can be', () => {
    expect(() => parseJob(JSON.stringify({ ...JSON.parse(JSON.stringify(job)), failover: { dns: [{ zone: 'lab.test', name: 'mail', type: 'TXT' }] } }))).toThrow(/failover\.dns/);
  });
});

describe('pre-flight on the DNS records chosen for failover', () => {
  const rule = (id: string) => RULES.find((r) => r.meta.id === id)!;
  it('a record the account may not write is a failure with no automatic fix', () => {
    const f = goodFacts();
    f.choices!.dns[0]!.writable = { ok: true, value: false, command: 'LDAP allowedAttributesEffective', raw: '' };
    const [finding] = rule('dns-failover-records').evaluate(f);
    expect(finding).toMatchObject({ outcome: 'failure', evidence: [{ label: 'mail.lab.test A' }, { label: 'the account may write it', value: 'no' }] });
    expect(rule('dns-failover-records').fix!.plan(f, finding!)).toBeNull();
  });

  it('a key whose secret was not given is not tested, and says so', () => {
    const f = goodFacts();
    f.choices!.dns[1]!.keyTest = null;
    expect(rule('dns-tsig-accepted').evaluate(f).map((x) => x.outcome)).toEqual(['not-applicable']);
  });

  it('a long TTL gets a fix that keeps the values and only shortens the TTL', () => {
    const f = goodFacts();
    f.choices!.dns[0]!.ttl = 3600;
    const bad = rule('dns-failover-ttl').evaluate(f).filter((x) => x.outcome === 'warning');
    expect(bad).toHaveLength(1);
    expect(rule('dns-failover-ttl').fix!.plan(f, bad[0]!)!.steps).toEqual([expect.objectContaining({ kind: 'dns-record', zone: 'lab.test', name: 'mail', type: 'A', values: ['198.18.0.11'], previous: ['198.18.0.11'], ttl: 60 })]);
  });
});
