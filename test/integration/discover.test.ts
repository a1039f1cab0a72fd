import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { discover } from '../../electron/directory/discover.ts';
import { lab, labStatus } from './helpers.ts';
import type { LabOrg } from '../lab/org.ts';
import type { Topology } from '../../shared/topology.ts';
import type { DirectoryTarget } from '../../shared/directory.ts';
import { protectionSet } from '../../shared/protection-set.ts';

const s = labStatus();
const d = s.directory;
const adminPassword = readFileSync(d.passwordFile, 'utf8').trim();
const caPem = readFileSync(d.caFile, 'utf8');
const byDomain: DirectoryTarget = { kind: 'domain', domain: 'lab.test', dnsServer: d.dnsServer };
const asAdmin = (target: DirectoryTarget = byDomain) => discover({ target, credentials: { username: d.bindDn, password: adminPassword }, trust: { caPem } });
const org = (): LabOrg => JSON.parse(readFileSync(s.org.file, 'utf8')) as LabOrg;

/** Discovery must return exactly what the lab generated. */
function expectMatches(t: Topology, o: LabOrg): void {
  expect(t.organisation?.name).toBe(o.organisation);
  expect(t.adminGroups).toEqual([...o.adminGroups].sort());
  expect(t.servers.map((x) => x.name)).toEqual(o.servers.map((x) => x.name).sort());
  for (const ls of o.servers) {
    const ts = t.servers.find((x) => x.name === ls.name)!;
    expect(ts.version.text).toBe(ls.serialNumber);
    expect(ts.fqdn).toBe(ls.fqdn);
    expect(ts.adminGroup).toBe(ls.adminGroup);
    expect(ts.dag).toBe(ls.dag ?? null);
    expect(ts.roles.includes('mailbox')).toBe((ls.roles & 2) !== 0);
    expect(ts.roles.includes('hubTransport')).toBe((ls.roles & 32) !== 0);
  }
  expect(t.databases).toHaveLength(o.databases.length);
  for (const ld of o.databases) {
    const td = t.databases.find((x) => x.dn.toLowerCase() === ld.dn.toLowerCase())!;
    expect(td).toBeDefined();
    expect({ name: td.name, kind: td.kind, server: td.server, storageGroup: td.storageGroup, edbFile: td.edbFile }).toEqual({ name: ld.name, kind: ld.kind, server: ld.server, storageGroup: ld.storageGroup ?? null, edbFile: ld.edbFile });
    expect(td.mailboxes).toBe(ld.kind === 'mailbox' ? ld.mailboxes : null);
    const sg = ld.storageGroup ? t.storageGroups.find((g) => g.server === ld.server && g.name === ld.storageGroup) : undefined;
    expect(td.logFolder ?? sg?.logFolder).toBe(ld.logFolder);
    expect(td.logPrefix ?? sg?.logPrefix).toBe(ld.logPrefix);
  }
  expect(t.dags.map((g) => [g.name, [...g.members].sort()])).toEqual(o.dags.map((g) => [g.name, [...g.members].sort()]));
}

afterAll(() => {
  lab('org', '--default');
});

describe('discovery against the lab DC', () => {
  it('finds the default organisation exactly, through DNS SRV', async () => {
    const t = await asAdmin();
    expectMatches(t, org());
    expect(t.directory).toMatchObject({ dcHost: 'dc1.lab.test', dnsDomain: 'lab.test', defaultNamingContext: 'DC=lab,DC=test' });
    expect(t.servers.find((x) => x.name === 'MAIL1')!.version).toMatchObject({ product: 'Exchange 2010', major: 14, minor: 3 });
    expect(t.databases.filter((x) => x.server === 'MAIL1').reduce((n, x) => n + (x.mailboxes ?? 0), 0)).toBe(500);
    expect(t.databases.filter((x) => x.server === 'MAIL2').every((x) => x.mailboxes === 0)).toBe(true);
  });

  it('works by URL too: LDAPS and StartTLS, as a plain user', async () => {
    const reader = { username: s.testAccounts.reader, password: readFileSync(s.testAccounts.passwordFile, 'utf8').trim() };
    for (const url of ['ldaps://dc1.lab.test', 'ldap://dc1.lab.test']) {
      const t = await discover({ target: { kind: 'url', url, dnsServer: d.dnsServer }, credentials: reader, trust: { caPem } });
      expect(t.servers.map((x) => x.name)).toEqual(['MAIL1', 'MAIL2', 'MAIL3']);
    }
  });

  it('reports progress and can be cancelled', async () => {
    const stages: string[] = [];
    const t = await discover({ target: byDomain, credentials: { username: d.bindDn, password: adminPassword }, trust: { caPem } }, { onProgress: (st) => stages.push(st) });
    expect(t.servers).toHaveLength(3);
    expect(stages).toEqual(expect.arrayContaining(['Finding a domain controller', 'Counting mailboxes']));
    const ac = new AbortController();
    const p = discover({ target: byDomain, credentials: { username: d.bindDn, password: adminPassword }, trust: { caPem } }, { signal: ac.signal, onProgress: (st) => { if (st === 'Counting mailboxes') ac.abort(); } });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
  });

  it.each([
    [2007, 4, 1000, 2],
    [2016, 20, 3000, 3],
  ] as const)('finds a generated Exchange %s organisation (%i servers) exactly', async (version, servers, mailboxes, adminGroups) => {
    const r = lab('org', '--servers', String(servers), '--mailboxes', String(mailboxes), '--version', String(version), '--admin-groups', String(adminGroups), '--seed', '5');
    expect(r.code, r.stderr).toBe(0);
    const o = org();
    const t = await asAdmin();
    expectMatches(t, o);
    if (version === 2007) expect(t.storageGroups.length).toBeGreaterThan(0);
    if (version === 2016) {
      expect(t.dags).toHaveLength(1);
      // Transport-only servers (every tenth) and DAG members appear as they are, not as errors.
      expect(t.servers.filter((x) => !x.roles.includes('mailbox')).map((x) => x.name)).toEqual(['EX10', 'EX20']);
      // A DAG member whose databases are all mounted on another member owns none, and says why.
      const idle = o.dags[0]!.members.at(-1)!;
      expect(t.databases.filter((x) => x.server === idle)).toEqual([]);
      expect(protectionSet(t, idle)).toMatchObject({ items: [], notes: [expect.stringContaining('DAG1')] });
      expect(protectionSet(t, 'EX10').notes[0]).toMatch(/no Mailbox role/);
    }
  });

  it('says so when the directory has no Exchange organisation', async () => {
    expect(lab('org', '--empty').code).toBe(0);
    const t = await asAdmin();
    expect(t.organisation).toBeNull();
    expect(t.servers).toEqual([]);
  });
});
