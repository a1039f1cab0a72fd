import { describe, expect, it } from 'vitest';
import { decodeRoles, parseExchangeVersion, sameMajorVersion, mailboxTotal, type Topology, type MailboxDatabase, type ExchangeServer } from '../../shared/topology.ts';
import { protectionSet } from '../../shared/protection-set.ts';
import { parseDn, rdnValue, sameDn, escapeFilterValue } from '../../shared/dn.ts';

describe('Exchange versions from serialNumber', () => {
  it.each([
    ['Version 6.0 (Build 6249.4)', 'Exchange 2000'],
    ['Version 6.5 (Build 7638.2: Service Pack 2)', 'Exchange 2003'],
    ['Version 8.3 (Build 83.6)', 'Exchange 2007'],
    ['Version 14.3 (Build 123.4)', 'Exchange 2010'],
    ['Version 15.0 (Build 1497.2)', 'Exchange 2013'],
    ['Version 15.1 (Build 2507.6)', 'Exchange 2016'],
    ['Version 15.2 (Build 1544.4)', 'Exchange 2019'],
    ['Version 15.2 (Build 2562.17)', 'Exchange SE'],
    ['garbage', 'unknown'],
  ])('%s is %s', (serial, product) => {
    expect(parseExchangeVersion(serial).product).toBe(product);
  });

  it('keeps the numbers', () => {
    expect(parseExchangeVersion('Version 15.1 (Build 2507.6)')).toMatchObject({ major: 15, minor: 1, build: 2507, revision: 6 });
  });

  it('treats 2019 and SE as one line, and nothing else as equal across products', () => {
    expect(sameMajorVersion(parseExchangeVersion('Version 15.2 (Build 1544.4)'), parseExchangeVersion('Version 15.2 (Build 2562.17)'))).toBe(true);
    expect(sameMajorVersion(parseExchangeVersion('Version 14.3 (Build 123.4)'), parseExchangeVersion('Version 15.1 (Build 2507.6)'))).toBe(false);
    expect(sameMajorVersion(parseExchangeVersion('x'), parseExchangeVersion('x'))).toBe(false);
  });
});

describe('server roles', () => {
  it.each([
    [38, null, ['mailbox', 'clientAccess', 'hubTransport']],
    [16439, null, ['mailbox', 'clientAccess', 'unifiedMessaging', 'hubTransport', 'frontendTransport', 'cafe']],
    [64, null, ['edge']],
    [32, null, ['hubTransport']],
    [null, 0, ['mailbox']],
    [null, 1, ['frontendTransport']],
  ] as const)('mask %s (2003 flag %s)', (mask, legacy, roles) => {
    expect(decodeRoles(mask, legacy)).toEqual(roles);
  });
});

describe('distinguished names', () => {
  it('undoes escapes and compares without case', () => {
    expect(parseDn('CN=Smith\\, John,OU=A\\2CB,DC=lab,DC=test').map((r) => r.value)).toEqual(['Smith, John', 'A,B', 'lab', 'test']);
    expect(rdnValue('CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups')).toBe('Exchange Administrative Group (FYDIBOHF23SPDLT)');
    expect(sameDn('cn=MAIL1, CN=Servers', 'CN=mail1,cn=servers')).toBe(true);
    expect(escapeFilterValue('Group (FYDIBOHF23SPDLT)*')).toBe('Group \\28FYDIBOHF23SPDLT\\29\\2a');
  });
});

const server = (name: string, over: Partial<ExchangeServer> = {}): ExchangeServer => ({
  name, dn: `CN=${name},CN=Servers,CN=AG`, fqdn: `${name.toLowerCase()}.corp.test`, adminGroup: 'AG', site: 'Site', legacyExchangeDN: null,
  version: parseExchangeVersion('Version 14.3 (Build 123.4)'), roles: ['mailbox', 'clientAccess', 'hubTransport'], dag: null, ...over,
});
const db = (name: string, srv: string, over: Partial<MailboxDatabase> = {}): MailboxDatabase => ({
  name, dn: `CN=${name}`, kind: 'mailbox', server: srv, storageGroup: null, edbFile: `D:\\DB\\${name}\\${name}.edb`, streamingFile: null,
  logFolder: `L:\\Logs\\${name}`, systemFolder: `L:\\Logs\\${name}`, logPrefix: 'E00', dag: null, mailboxes: 10, ...over,
});
const topo = (servers: ExchangeServer[], databases: MailboxDatabase[], storageGroups: Topology['storageGroups'] = []): Topology => ({
  discoveredAt: '', directory: { dcHost: 'dc', defaultNamingContext: 'DC=corp,DC=test', configurationNamingContext: 'CN=Configuration,DC=corp,DC=test', dnsDomain: 'corp.test' },
  organisation: { name: 'Org', dn: 'CN=Org', legacyExchangeDN: '/o=Org' }, adminGroups: ['AG'], servers, storageGroups, databases, dags: [],
});

describe('the protection set', () => {
  it('2010: each database file, log folder and checkpoint folder with its prefix', () => {
    const t = topo([server('EX1')], [db('DB1', 'EX1'), db('DB2', 'EX1', { logPrefix: 'E01' })]);
    const p = protectionSet(t, 'ex1');
    expect(p.items.map((i) => [i.purpose, i.path, i.pattern])).toEqual([
      ['database', 'D:\\DB\\DB1\\DB1.edb', null], ['logs', 'L:\\Logs\\DB1', 'E00*.log'], ['checkpoint', 'L:\\Logs\\DB1', 'E00.chk'],
      ['database', 'D:\\DB\\DB2\\DB2.edb', null], ['logs', 'L:\\Logs\\DB2', 'E01*.log'], ['checkpoint', 'L:\\Logs\\DB2', 'E01.chk'],
    ]);
    expect(p.notes).toEqual([]);
    expect(mailboxTotal(t, 'EX1')).toBe(20);
  });

  it('2003: the streaming file too, and the storage group\'s shared logs once for all its stores', () => {
    const v = parseExchangeVersion('Version 6.5 (Build 7638.2)');
    const sg = { name: 'First Storage Group', dn: 'CN=SG', server: 'EX03', logFolder: 'C:\\MDBDATA', systemFolder: 'C:\\MDBDATA', logPrefix: 'E00' };
    const stores = [
      db('Mailbox Store (EX03)', 'EX03', { storageGroup: sg.name, edbFile: 'C:\\MDBDATA\\priv1.edb', streamingFile: 'C:\\MDBDATA\\priv1.stm', logFolder: null, systemFolder: null, logPrefix: null }),
      db('Public Folder Store (EX03)', 'EX03', { kind: 'public', mailboxes: null, storageGroup: sg.name, edbFile: 'C:\\MDBDATA\\pub1.edb', streamingFile: 'C:\\MDBDATA\\pub1.stm', logFolder: null, systemFolder: null, logPrefix: null }),
    ];
    const p = protectionSet(topo([server('EX03', { version: v, roles: ['mailbox'] })], stores, [sg]), 'EX03');
    expect(p.items.filter((i) => i.purpose === 'streaming').map((i) => i.path)).toEqual(['C:\\MDBDATA\\priv1.stm', 'C:\\MDBDATA\\pub1.stm']);
    const logs = p.items.filter((i) => i.purpose === 'logs');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ path: 'C:\\MDBDATA', pattern: 'E00*.log', databases: ['Mailbox Store (EX03)', 'Public Folder Store (EX03)'] });
  });

  it('2007: storage group paths serve the databases that have none of their own', () => {
    const sgs = [
      { name: 'First Storage Group', dn: 'x', server: 'EX07', logFolder: 'E:\\SG1', systemFolder: 'E:\\SG1', logPrefix: 'E00' },
      { name: 'Second Storage Group', dn: 'y', server: 'EX07', logFolder: 'E:\\SG2', systemFolder: 'E:\\SG2sys', logPrefix: 'E01' },
    ];
    const dbs = [
      db('Mailbox Database', 'EX07', { storageGroup: sgs[0]!.name, logFolder: null, systemFolder: null, logPrefix: null }),
      db('Mailbox Database 2', 'EX07', { storageGroup: sgs[1]!.name, logFolder: null, systemFolder: null, logPrefix: null }),
    ];
    const p = protectionSet(topo([server('EX07', { version: parseExchangeVersion('Version 8.3 (Build 83.6)') })], dbs, sgs), 'EX07');
    expect(p.items.filter((i) => i.purpose === 'checkpoint').map((i) => [i.path, i.pattern])).toEqual([['E:\\SG1', 'E00.chk'], ['E:\\SG2sys', 'E01.chk']]);
  });

  it('2016 DAG: a member that owns no database has an empty set and says why', () => {
    const v = parseExchangeVersion('Version 15.1 (Build 2507.6)');
    const t = topo([server('EX1', { version: v, dag: 'DAG1' }), server('EX2', { version: v, dag: 'DAG1' })], [db('DB1', 'EX1', { dag: 'DAG1' })]);
    expect(protectionSet(t, 'EX2').items).toEqual([]);
    expect(protectionSet(t, 'EX2').notes.join(' ')).toMatch(/DAG1/);
    expect(protectionSet(t, 'EX1').items).toHaveLength(3);
  });

  it('a transport-only server and an unknown name give empty sets with a reason', () => {
    const t = topo([server('HUB', { roles: ['hubTransport'] })], []);
    expect(protectionSet(t, 'HUB')).toMatchObject({ items: [], notes: [expect.stringMatching(/no Mailbox role/)] });
    expect(protectionSet(t, 'NOPE').notes[0]).toMatch(/no Exchange server called NOPE/);
  });

  it('notes a database whose paths the directory does not give', () => {
    const p = protectionSet(topo([server('EX1')], [db('DB1', 'EX1', { logFolder: null, systemFolder: null })]), 'EX1');
    expect(p.items.map((i) => i.purpose)).toEqual(['database']);
    expect(p.notes[0]).toMatch(/DB1: the directory gives no log folder/);
  });
});
