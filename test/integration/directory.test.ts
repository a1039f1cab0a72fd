import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Client } from 'ldapts';
import { labStatus } from './helpers.ts';
import type { LabOrg } from '../lab/org.ts';

const s = labStatus();
const d = s.directory;
const password = readFileSync(d.passwordFile, 'utf8').trim();
const tls = { ca: [readFileSync(d.caFile)], servername: d.tlsServerName };

describe('the lab DC (Samba AD)', () => {
  it('accepts an LDAPS bind with the exported CA and shows the Exchange organisation', async () => {
    const c = new Client({ url: `ldaps://${d.address}:636`, tlsOptions: tls, timeout: 10_000 });
    await c.bind(d.bindDn, password);
    const cfg = `CN=Configuration,${d.baseDn}`;
    const { searchEntries: servers } = await c.search(cfg, { filter: '(objectClass=msExchExchangeServer)', attributes: ['cn', 'serialNumber', 'msExchCurrentServerRoles'] });
    expect(servers.map((e) => e.cn).sort()).toEqual(['MAIL1', 'MAIL2', 'MAIL3']);
    const { searchEntries: dbs } = await c.search(cfg, { filter: '(objectClass=msExchPrivateMDB)', attributes: ['cn', 'msExchOwningServer', 'msExchEDBFile', 'homeMDBBL'] });
    const org = JSON.parse(readFileSync(s.org.file, 'utf8')) as LabOrg;
    expect(dbs.map((e) => e.cn).sort()).toEqual(org.databases.map((x) => x.name).sort());
    for (const db of org.databases) {
      const e = dbs.find((x) => x.cn === db.name)!;
      expect(String(e.msExchOwningServer)).toMatch(new RegExp(`^CN=${db.server},`));
      expect(e.msExchEDBFile).toBe(db.edbFile);
      const links = e.homeMDBBL === undefined ? [] : ([] as unknown[]).concat(e.homeMDBBL);
      expect(links).toHaveLength(db.mailboxes);
    }
    await c.unbind();
  });

  it('refuses a plain-text simple bind on port 389', async () => {
    const c = new Client({ url: `ldap://${d.address}:389`, timeout: 10_000 });
    await expect(c.bind(d.bindDn, password)).rejects.toMatchObject({ code: 8 }); // strongAuthRequired
    await c.unbind().catch(() => undefined);
  });

  it('refuses LDAPS when the CA is not given', async () => {
    const c = new Client({ url: `ldaps://${d.address}:636`, tlsOptions: { servername: d.tlsServerName }, timeout: 10_000 });
    await expect(c.bind(d.bindDn, password)).rejects.toThrow(/certificate/i);
  });

  it('answers DNS for the lab names, and nothing outside the lab', () => {
    const dig = (...a: string[]) => spawnSync('dig', [`@${d.dnsServer}`, '+short', '+time=2', '+tries=1', ...a], { encoding: 'utf8' }).stdout.trim();
    const mail1 = s.hosts.find((h) => h.name === 'mail1')!;
    expect(dig('mail.lab.test')).toBe(mail1.address);
    expect(dig('mail2.lab.test')).toBe(s.hosts.find((h) => h.name === 'mail2')!.address);
    expect(dig('lab.test', 'MX')).toBe('10 mail.lab.test.');
    expect(dig('-x', mail1.address)).toBe('mail1.lab.test.');
    expect(dig('_ldap._tcp.dc._msdcs.lab.test', 'SRV')).toMatch(/ 389 dc1\.lab\.test\.$/);
    // No forwarder: a name outside the lab is not resolved.
    expect(dig('example.com')).toBe('');
  });
});
