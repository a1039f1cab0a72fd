/**
 * DNS records a failover repoints, on the lab's two DNS servers: BIND 9 (RFC 2136 signed with
 * TSIG) and Samba's AD-integrated zone (LDAP). Each change is checked with dig, another client
 * than the one that wrote it. Refusals (a key without the right, a wrong secret, no server)
 * give one sentence and change nothing; a plan stopped by one resumes on the next run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { PlanStep } from '../../shared/plan.ts';
import { SshPool } from '../../electron/hosts/ssh-pool.ts';
import { planContext } from '../../electron/plans/context.ts';
import { sealPlan } from '../../electron/plans/plan-id.ts';
import { Journal } from '../../electron/plans/journal.ts';
import { runPlans } from '../../electron/plans/engine.ts';
import { probeUpdate, replaceRRset } from '../../electron/directory/dns-update.ts';
import { labRequest, pins, s, testJournalDir } from './preflight-helpers.ts';
import { externalDnsBack, withDirectory } from './failover-helpers.ts';
import { setDnsRecord } from '../../electron/directory/dns-write.ts';

const ext = s.receivers.dns;
const secrets = JSON.parse(readFileSync(ext.secrets, 'utf8')) as Record<string, string>;
const server = { address: ext.address, port: ext.port };
const key = { name: ext.key, algorithm: 'hmac-sha256' as const, secret: secrets[ext.key]! };
const dig = (at: string, name: string, type: string) => spawnSync('dig', ['+short', `@${at}`, name, type], { encoding: 'utf8' }).stdout.trim().toLowerCase().replace(/\.$/gm, '');
const serialOf = () => dig(ext.address, ext.zone, 'SOA').split(/\s+/)[2];

const pool = new SshPool({ pins });
afterAll(async () => {
  await pool.closeAll();
  await externalDnsBack(s);
  await withDirectory(s, (c) => setDnsRecord(c, 'DC=lab,DC=test', 'lab.test', '@', 'MX', '10 mail.lab.test'));
});

describe('RFC 2136 with TSIG against BIND 9', () => {
  it('replaces an MX, an SRV and a CNAME, and BIND serves exactly the new values', async () => {
    await replaceRRset(server, key, ext.zone, ext.zone, 'MX', ['20 mail2.lab.test'], 45);
    await replaceRRset(server, key, ext.zone, `_submission._tcp.${ext.zone}`, 'SRV', ['0 100 587 mail2.lab.test'], 45);
    await replaceRRset(server, key, ext.zone, `webmail.${ext.zone}`, 'CNAME', ['mail2.lab.test'], 45);
    expect(dig(ext.address, ext.zone, 'MX')).toBe('20 mail2.lab.test');
    expect(dig(ext.address, `_submission._tcp.${ext.zone}`, 'SRV')).toBe('0 100 587 mail2.lab.test');
    expect(dig(ext.address, `webmail.${ext.zone}`, 'CNAME')).toBe('mail2.lab.test');
    const ttl = spawnSync('dig', ['+noall', '+answer', `@${ext.address}`, ext.zone, 'MX'], { encoding: 'utf8' }).stdout.split(/\s+/)[1];
    expect(ttl).toBe('45');
  });

  it('a key without the right, a wrong secret, an unknown key and no server each give one sentence and change nothing', async () => {
    const serial = serialOf();
    const denied = { ...key, name: ext.deniedKey, secret: secrets[ext.deniedKey]! };
    await expect(replaceRRset(server, denied, ext.zone, `mail.${ext.zone}`, 'A', ['198.18.0.99'], 60)).rejects.toThrow(/refused the update: its update-policy does not let this key change this name and type\. Nothing was changed\./);
    await expect(replaceRRset(server, { ...key, secret: Buffer.alloc(32, 7).toString('base64') }, ext.zone, `mail.${ext.zone}`, 'A', ['198.18.0.99'], 60)).rejects.toThrow(/BADSIG/);
    await expect(replaceRRset(server, { ...key, name: 'no-such-key' }, ext.zone, `mail.${ext.zone}`, 'A', ['198.18.0.99'], 60)).rejects.toThrow(/BADKEY/);
    await expect(replaceRRset({ address: ext.address, port: 5353 }, key, ext.zone, `mail.${ext.zone}`, 'A', ['198.18.0.99'], 60)).rejects.toThrow(/^Nothing answers DNS over TCP at 198\.18\.0\.20:5353/);
    expect(dig(ext.address, `mail.${ext.zone}`, 'A')).not.toBe('198.18.0.99');
    expect(serialOf()).toBe(serial);
  });

  it('a probe update checks the key and the policy for a name and type without changing the zone', async () => {
    const serial = serialOf();
    await probeUpdate(server, key, ext.zone, `mail.${ext.zone}`, 'A');
    await expect(probeUpdate(server, { ...key, name: ext.deniedKey, secret: secrets[ext.deniedKey]! }, ext.zone, `mail.${ext.zone}`, 'A')).rejects.toThrow(/REFUSED|refused the update/);
    expect(serialOf()).toBe(serial);
  });
});

describe('dns-record steps on the plan engine', () => {
  const step = (name: string, type: 'A' | 'MX', values: string[], previous: string[], keyName = ext.key): PlanStep => ({
    kind: 'dns-record', description: `point ${name} (${type})`, server: { address: ext.address, port: ext.port, key: keyName, algorithm: 'hmac-sha256' },
    zone: ext.zone, name, type, values, ttl: 60, previous, askServers: [ext.address],
  });

  it('AD records other than A over LDAP: the DC serves the MX the step wrote, and undo puts the old one back', async () => {
    const ctx = planContext({ hosts: [], pool, directory: labRequest().directory! });
    try {
      const plan = sealPlan({ title: 'MX at the DC', onFailure: 'undo', steps: [
        { kind: 'dns-record', description: 'MX of lab.test at MAIL2', zone: 'lab.test', name: '@', type: 'MX', values: ['10 mail2.lab.test'], ttl: 60, previous: ['10 mail.lab.test'], askServers: [s.directory.dnsServer] },
        { kind: 'command', host: 'nowhere', description: 'a step that cannot run', command: 'true' },
      ] });
      const [r] = await runPlans([plan], ctx, Journal.create(testJournalDir(), [plan], ['directory']));
      expect(r!.outcome).toBe('undone');
      expect(r!.steps.filter((x) => x.index === 0).map((x) => x.status)).toEqual(['applied', 'undone']);
      expect(dig(s.directory.dnsServer, 'lab.test', 'MX')).toBe('10 mail.lab.test');
    } finally {
      await ctx.close();
    }
  });

  it('a DNS write refused mid-plan stops there in one sentence; with the right key the next run finishes it', async () => {
    await externalDnsBack(s);
    const dir = testJournalDir();
    const ctx = planContext({ hosts: [], pool, tsigSecrets: secrets });
    try {
      const plan = sealPlan({ title: 'repoint example.test', onFailure: 'stop', steps: [
        step('mail', 'A', ['198.18.0.12'], ['198.18.0.11']),
        step('@', 'MX', ['10 mail2.lab.test'], ['10 mail1.lab.test'], ext.deniedKey),
      ] });
      const [first] = await runPlans([plan], ctx, Journal.create(dir, [plan], ['dns']));
      expect(first!.outcome).toBe('stopped');
      expect(first!.steps.map((x) => x.status)).toEqual(['applied', 'failed']);
      expect(first!.error).toMatch(/refused the update/);
      expect(dig(ext.address, `mail.${ext.zone}`, 'A')).toBe('198.18.0.12');
      expect(dig(ext.address, ext.zone, 'MX')).toBe('10 mail1.lab.test');
      // The plan again with the key that may write the MX: writing the A record again changes nothing (the step is idempotent).
      const fixed = sealPlan({ ...plan, steps: [plan.steps[0]!, step('@', 'MX', ['10 mail2.lab.test'], ['10 mail1.lab.test'])] });
      const [second] = await runPlans([fixed], ctx, Journal.create(dir, [fixed], ['dns']));
      expect(second!.outcome).toBe('applied');
      expect(dig(ext.address, ext.zone, 'MX')).toBe('10 mail2.lab.test');
    } finally {
      await ctx.close();
    }
  });
});
