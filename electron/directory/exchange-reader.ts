/**
 * Reads the Exchange organisation from the configuration partition. Independent
 * searches run concurrently, every subtree search is paged, and mailbox counts come
 * from each database's homeMDBBL backlink (a base read, far cheaper than searching users).
 */
import type { Client, Entry } from 'ldapts';
import { decodeRoles, parseExchangeVersion, type Dag, type DirectoryInfo, type ExchangeServer, type MailboxDatabase, type StorageGroup, type Topology } from '../../shared/topology.ts';
import { normalizeDn, parseDn, rdnValue } from '../../shared/dn.ts';
import { UserError } from '../../shared/errors.ts';
import { countRangedValues } from './ranged.ts';

const PAGE = { pageSize: 500 };
const str = (e: Entry, k: string): string | null => {
  const v = e[k];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined || first === '' ? null : String(first);
};
const strs = (e: Entry, k: string): string[] => ([] as unknown[]).concat(e[k] ?? []).map(String);
const num = (e: Entry, k: string): number | null => {
  const s = str(e, k);
  return s === null || !/^-?\d+$/.test(s) ? null : Number(s);
};

export async function readRootDse(client: Client): Promise<DirectoryInfo & { rootDomainNamingContext: string }> {
  const { searchEntries } = await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['defaultNamingContext', 'configurationNamingContext', 'rootDomainNamingContext', 'dnsHostName'] });
  const e = searchEntries[0];
  const cfg = e && str(e, 'configurationNamingContext');
  if (!e || !cfg) throw new UserError('directory-error', 'The DC did not say where its configuration partition is; is this an Active Directory DC?');
  const def = str(e, 'defaultNamingContext') ?? '';
  return {
    dcHost: str(e, 'dnsHostName') ?? '',
    defaultNamingContext: def,
    configurationNamingContext: cfg,
    rootDomainNamingContext: str(e, 'rootDomainNamingContext') ?? def,
    dnsDomain: parseDn(def).filter((r) => r.type.toLowerCase() === 'dc').map((r) => r.value).join('.'),
  };
}

async function exists(client: Client, dn: string): Promise<boolean> {
  try {
    await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
    return true;
  } catch (e) {
    if ((e as { code?: number }).code === 32) return false; // noSuchObject
    throw e;
  }
}

/** The place of an object in the tree: `CN=DB,CN=SG,CN=InformationStore,CN=SERVER,CN=Servers,CN=AG,...`. */
function ancestorsOf(dn: string) {
  return parseDn(dn).map((r) => r.value);
}

export interface ReadOptions {
  signal?: AbortSignal;
  onStage?: (stage: string, done: number, total: number | null) => void;
  concurrency?: number;
}

export async function readOrganisation(client: Client, dir: DirectoryInfo, o: ReadOptions = {}): Promise<Topology> {
  const base = `CN=Microsoft Exchange,CN=Services,${dir.configurationNamingContext}`;
  const empty: Topology = { discoveredAt: new Date().toISOString(), directory: dir, organisation: null, adminGroups: [], servers: [], storageGroups: [], databases: [], dags: [] };
  o.onStage?.('Looking for the Exchange organisation', 0, null);
  if (!(await exists(client, base))) return empty;
  const search = (filter: string, attributes: string[], scope: 'one' | 'sub' = 'sub') =>
    client.search(base, { scope, filter, attributes, paged: PAGE }).then((r) => r.searchEntries);
  const [orgs, ags, serverEntries, sgEntries, dbEntries, dagEntries] = await Promise.all([
    search('(objectClass=msExchOrganizationContainer)', ['cn', 'legacyExchangeDN'], 'one'),
    search('(objectClass=msExchAdminGroup)', ['cn']),
    search('(objectClass=msExchExchangeServer)', ['cn', 'serialNumber', 'msExchCurrentServerRoles', 'msExchServerRole', 'networkAddress', 'dNSHostName', 'msExchServerSite', 'msExchMDBAvailabilityGroupLink', 'legacyExchangeDN']),
    search('(objectClass=msExchStorageGroup)', ['cn', 'msExchESEParamLogFilePath', 'msExchESEParamSystemPath', 'msExchESEParamBaseName']),
    search('(|(objectClass=msExchPrivateMDB)(objectClass=msExchPublicMDB))', ['cn', 'objectClass', 'msExchOwningServer', 'msExchEDBFile', 'msExchSLVFile', 'msExchESEParamLogFilePath', 'msExchESEParamSystemPath', 'msExchESEParamBaseName', 'msExchMasterServerOrAvailabilityGroup']),
    search('(objectClass=msExchMDBAvailabilityGroup)', ['cn']),
  ]);
  const org = orgs[0];
  if (!org) return empty;
  o.onStage?.(`Found ${serverEntries.length} Exchange servers and ${dbEntries.length} databases`, 0, null);

  const dagByDn = new Map(dagEntries.map((e) => [normalizeDn(e.dn), str(e, 'cn') ?? rdnValue(e.dn)]));
  const servers: ExchangeServer[] = serverEntries.map((e) => {
    const path = ancestorsOf(e.dn);
    const tcp = strs(e, 'networkAddress').find((a) => a.toLowerCase().startsWith('ncacn_ip_tcp:'));
    const dagLink = str(e, 'msExchMDBAvailabilityGroupLink');
    return {
      name: str(e, 'cn') ?? path[0]!,
      dn: e.dn,
      fqdn: str(e, 'dNSHostName') ?? (tcp ? tcp.slice('ncacn_ip_tcp:'.length) : null),
      adminGroup: path[2] ?? '',
      site: str(e, 'msExchServerSite') ? rdnValue(str(e, 'msExchServerSite')!) : null,
      version: parseExchangeVersion(str(e, 'serialNumber')),
      roles: decodeRoles(num(e, 'msExchCurrentServerRoles'), num(e, 'msExchServerRole')),
      dag: dagLink ? (dagByDn.get(normalizeDn(dagLink)) ?? rdnValue(dagLink)) : null,
      legacyExchangeDN: str(e, 'legacyExchangeDN'),
    };
  }).sort((a, b) => a.name.localeCompare(b.name));
  const serverByDn = new Map(servers.map((s) => [normalizeDn(s.dn), s.name]));
  const serverOfPath = (dn: string): string | null => {
    // 2000-2007: the database sits below CN=<SG>,CN=InformationStore,CN=<SERVER>.
    const rdns = parseDn(dn);
    const i = rdns.findIndex((r) => r.value.toLowerCase() === 'informationstore');
    return i >= 0 ? (serverByDn.get(normalizeDn(rdns.slice(i + 1).map((r) => `${r.type}=${r.value.replace(/[,\\+"<>;=]/g, '\\$&')}`).join(','))) ?? rdns[i + 1]?.value ?? null) : null;
  };
  const storageGroups: StorageGroup[] = sgEntries.map((e) => ({
    name: str(e, 'cn') ?? rdnValue(e.dn), dn: e.dn, server: serverOfPath(e.dn) ?? '',
    logFolder: str(e, 'msExchESEParamLogFilePath'), systemFolder: str(e, 'msExchESEParamSystemPath'), logPrefix: str(e, 'msExchESEParamBaseName'),
  }));
  const databases = dbEntries.map((e): MailboxDatabase => {
    const owning = str(e, 'msExchOwningServer');
    const master = str(e, 'msExchMasterServerOrAvailabilityGroup');
    const rdns = parseDn(e.dn);
    const underSg = rdns[2]?.value.toLowerCase() === 'informationstore';
    return {
      name: str(e, 'cn') ?? rdnValue(e.dn), dn: e.dn,
      kind: strs(e, 'objectClass').some((c) => c.toLowerCase() === 'msexchpublicmdb') ? 'public' : 'mailbox',
      server: (owning && serverByDn.get(normalizeDn(owning))) ?? serverOfPath(e.dn),
      storageGroup: underSg ? rdns[1]!.value : null,
      edbFile: str(e, 'msExchEDBFile'), streamingFile: str(e, 'msExchSLVFile'),
      logFolder: str(e, 'msExchESEParamLogFilePath'), systemFolder: str(e, 'msExchESEParamSystemPath'), logPrefix: str(e, 'msExchESEParamBaseName'),
      dag: master ? (dagByDn.get(normalizeDn(master)) ?? null) : null,
      mailboxes: null,
    };
  }).sort((a, b) => a.name.localeCompare(b.name));
  const dags: Dag[] = dagEntries.map((e) => {
    const name = str(e, 'cn') ?? rdnValue(e.dn);
    return { name, dn: e.dn, members: servers.filter((s) => s.dag === name).map((s) => s.name) };
  });
  await countMailboxes(client, databases, o);
  return {
    discoveredAt: new Date().toISOString(), directory: dir,
    organisation: { name: str(org, 'cn') ?? rdnValue(org.dn), dn: org.dn, legacyExchangeDN: str(org, 'legacyExchangeDN') },
    adminGroups: ags.map((e) => str(e, 'cn') ?? rdnValue(e.dn)).sort(), servers, storageGroups, databases, dags,
  };
}

/** Fills in `mailboxes` on each mailbox database, a few databases at a time. */
async function countMailboxes(client: Client, databases: MailboxDatabase[], o: ReadOptions): Promise<void> {
  const queue = databases.filter((d) => d.kind === 'mailbox');
  let done = 0;
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      if (o.signal?.aborted) throw new UserError('cancelled', 'The discovery was cancelled.');
      d.mailboxes = await countRangedValues(client, d.dn, 'homeMDBBL');
      o.onStage?.('Counting mailboxes', ++done, databases.filter((x) => x.kind === 'mailbox').length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 8) }, worker));
  // A cancel that came while the last counts ran still means: no result.
  if (o.signal?.aborted) throw new UserError('cancelled', 'The discovery was cancelled.');
}
