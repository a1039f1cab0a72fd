import { describe, expect, it } from 'vitest';
import { buildOrg, packVersion, ROLE } from '../lab/org.ts';
import { configLdif, usersLdif } from '../lab/org-ldif.ts';
import { ATTRIBUTES, CLASSES, attributesLdif, privateOid, privateOids } from '../lab/schema.ts';
import { DEFAULT_ORG } from '../lab/dc.ts';
import { MAILBOX_USERS } from '../lab/host-config.ts';

describe('the lab organisation generator', () => {
  it('builds the default organisation: MAIL1 holds 500 mailboxes, MAIL2 and MAIL3 empty databases', () => {
    const org = buildOrg(DEFAULT_ORG);
    expect(org.servers.map((s) => s.name)).toEqual(['MAIL1', 'MAIL2', 'MAIL3']);
    const on = (s: string) => org.databases.filter((d) => d.server === s);
    expect(on('MAIL1').reduce((n, d) => n + d.mailboxes, 0)).toBe(500);
    expect(on('MAIL2').every((d) => d.mailboxes === 0)).toBe(true);
    expect(on('MAIL3')).toHaveLength(4);
    expect(on('MAIL3').every((d) => d.mailboxes === 0)).toBe(true);
    expect(on('MAIL1').every((d) => d.mailboxes > 0)).toBe(true);
    expect(org.servers[0]!.roles).toBe(ROLE.Mailbox | ROLE.ClientAccess | ROLE.HubTransport);
    // The mail hosts carry exactly the mailboxes the directory homes on MAIL1 (a rehearsal's report sets them against each other).
    const mail1 = new Set(on('MAIL1').map((d) => d.dn));
    const entries = [...usersLdif(org, 100_000)].map((c) => c.ldif).join('').split(/\n\n/);
    const homed = entries.filter((e) => mail1.has(/^homeMDB: (.*)$/m.exec(e)?.[1] ?? '')).map((e) => /^mail: (.*)@/m.exec(e)![1]);
    expect(homed).toEqual(MAILBOX_USERS);
  });

  it('is deterministic for a seed and spreads every mailbox', () => {
    const spec = { servers: 20, mailboxes: 5000, version: 2016 as const, seed: 7, adminGroups: 3 };
    expect(buildOrg(spec)).toEqual(buildOrg(spec));
    const org = buildOrg(spec);
    expect(org.databases.reduce((n, d) => n + d.mailboxes, 0)).toBe(5000);
    expect(new Set(org.servers.map((s) => s.adminGroup)).size).toBe(3);
    expect(org.servers.filter((s) => s.roles === ROLE.HubTransport)).toHaveLength(2);
    expect(org.dags).toHaveLength(1);
    expect(org.dags[0]!.members).toHaveLength(18);
    expect(org.databases.filter((d) => d.server === org.dags[0]!.members.at(-1))).toEqual([]);
  });

  it('gives 2007 organisations storage groups and public folder databases', () => {
    const org = buildOrg({ servers: 2, mailboxes: 10, version: 2007, seed: 1, adminGroups: 1 });
    expect(org.databases.every((d) => d.storageGroup)).toBe(true);
    expect(org.databases.filter((d) => d.kind === 'public')).toHaveLength(2);
    const ldif = configLdif(org);
    expect(ldif).toContain('objectClass: msExchStorageGroup');
    expect(ldif).not.toContain('CN=Databases,');
  });

  it('writes one user per mailbox, homed on its database', () => {
    const org = buildOrg({ servers: 3, mailboxes: 2500, version: 2010, seed: 3, adminGroups: 1 });
    const text = [...usersLdif(org)].map((c) => c.ldif).join('');
    expect(text.match(/^objectClass: user$/gm)).toHaveLength(2500);
    for (const d of org.databases) expect(text.split(`homeMDB: ${d.dn}\n`).length - 1).toBe(d.mailboxes);
  });

  it('packs versions as Exchange 2007+ does', () => {
    const v = packVersion(15, 1, 2507);
    expect([(v >>> 22) & 0x3f, (v >>> 16) & 0x3f, v & 0xffff]).toEqual([15, 1, 2507]);
    expect(packVersion(8, 3, 83)).toBeLessThan(packVersion(14, 3, 123));
  });
});

describe('the lab schema subset', () => {
  it('uses private OIDs whose arcs fit in 32 bits (Samba refuses others)', () => {
    for (const oid of Object.values(privateOids())) {
      expect(oid.startsWith('1.2.840.113556.1.8000.2554.')).toBe(true);
      for (const arc of oid.split('.')) expect(Number(arc)).toBeLessThan(2 ** 32);
    }
    expect(privateOid('x')).toBe(privateOid('x'));
  });

  it('keeps the real linkIDs of homeMDB and its backlink', () => {
    const ldif = attributesLdif();
    expect(ldif).toMatch(/lDAPDisplayName: homeMDB\n(.*\n)*?linkID: 32/);
    expect(ldif).toMatch(/lDAPDisplayName: homeMDBBL\n(.*\n)*?linkID: 33/);
    expect(ATTRIBUTES.map((a) => a.name)).toContain('msExchCurrentServerRoles');
    expect(CLASSES.find((c) => c.name === 'msExchPrivateMDB')?.subClassOf).toBe('msExchMDB');
  });
});
