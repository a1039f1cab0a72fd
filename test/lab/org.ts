/**
 * Generates an Exchange organisation for the lab: the directory objects as LDIF and,
 * beside them, the expected result (`LabOrg`) that discovery tests compare against.
 * Pure and deterministic for a given seed.
 */
import { BASE_DN, DNS_DOMAIN, ORG_NAME } from './config.ts';

export type ExchangeStyle = 2007 | 2010 | 2016;

export interface OrgSpec {
  servers: number;
  mailboxes: number;
  version: ExchangeStyle;
  seed: number;
  adminGroups: number;
  /** Names for the first servers (the default lab uses MAIL1, MAIL2). */
  names?: string[];
  /** Databases per mailbox server. */
  databasesPerServer?: number;
}

export interface LabDatabase {
  name: string; dn: string; kind: 'mailbox' | 'public'; server: string; storageGroup?: string;
  edbFile: string; logFolder: string; systemFolder: string; logPrefix: string; mailboxes: number;
}
export interface LabServer {
  name: string; dn: string; fqdn: string; adminGroup: string; serialNumber: string; versionNumber: number;
  roles: number; site: string; dag?: string; legacyExchangeDN: string;
}
export interface LabOrg {
  organisation: string; style: ExchangeStyle; seed: number; adminGroups: string[];
  servers: LabServer[]; databases: LabDatabase[]; dags: { name: string; members: string[] }[]; mailboxes: number;
}

const CFG = `CN=Configuration,${BASE_DN}`;
export const EXCHANGE_DN = `CN=Microsoft Exchange,CN=Services,${CFG}`;
export const ORG_DN = `CN=${ORG_NAME},${EXCHANGE_DN}`;
export const MAILBOX_OU = `OU=Mailboxes,${BASE_DN}`;
const SITE_DN = `CN=Default-First-Site-Name,CN=Sites,${CFG}`;
const MODERN_AG = 'Exchange Administrative Group (FYDIBOHF23SPDLT)';

/** Roles as Exchange's ServerRole bit mask. */
export const ROLE = { Cafe: 1, Mailbox: 2, ClientAccess: 4, UnifiedMessaging: 16, HubTransport: 32, Edge: 64, FrontendTransport: 16384 } as const;
const ROLES_BY_STYLE: Record<ExchangeStyle, number> = {
  2007: ROLE.Mailbox | ROLE.ClientAccess | ROLE.HubTransport,
  2010: ROLE.Mailbox | ROLE.ClientAccess | ROLE.HubTransport,
  2016: ROLE.Cafe | ROLE.Mailbox | ROLE.ClientAccess | ROLE.UnifiedMessaging | ROLE.HubTransport | ROLE.FrontendTransport,
};
const SERIAL: Record<ExchangeStyle, [number, number, number, number]> = { 2007: [8, 3, 83, 6], 2010: [14, 3, 123, 4], 2016: [15, 1, 2507, 6] };
const INSTALL: Record<ExchangeStyle, string> = {
  2007: 'C:\\Program Files\\Microsoft\\Exchange Server\\Mailbox',
  2010: 'C:\\Program Files\\Microsoft\\Exchange Server\\V14\\Mailbox',
  2016: 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Mailbox',
};
const SG_NAMES = ['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh', 'Eighth'];

/** mulberry32: small, fast, good enough to spread mailboxes reproducibly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exchange 2007+ packs the version as major<<22 | minor<<16 | build, with bit 30 set. */
export function packVersion(major: number, minor: number, build: number): number {
  return (0x40000000 | (major << 22) | (minor << 16) | build) >>> 0;
}

const esc = (s: string) => s.replace(/([,+"\\<>;=])/g, '\\$1');

export function buildOrg(spec: OrgSpec): LabOrg {
  const random = rng(spec.seed);
  const adminGroups = Array.from({ length: Math.max(1, spec.adminGroups) }, (_, i) => (i === 0 ? MODERN_AG : `Administrative Group ${i + 1}`));
  const agDn = (ag: string) => `CN=${esc(ag)},CN=Administrative Groups,${ORG_DN}`;
  const [maj, min, build, rev] = SERIAL[spec.version];
  const servers: LabServer[] = [];
  for (let i = 0; i < spec.servers; i++) {
    const name = spec.names?.[i] ?? `EX${String(i + 1).padStart(2, '0')}`;
    const ag = adminGroups[i % adminGroups.length]!;
    // Every tenth generated server (not the named ones) is a transport-only server with no databases.
    const transportOnly = spec.servers >= 10 && i % 10 === 9;
    servers.push({
      name, dn: `CN=${name},CN=Servers,${agDn(ag)}`, fqdn: `${name.toLowerCase()}.${DNS_DOMAIN}`, adminGroup: ag,
      serialNumber: `Version ${maj}.${min} (Build ${build}.${rev})`, versionNumber: packVersion(maj, min, build),
      roles: transportOnly ? ROLE.HubTransport : ROLES_BY_STYLE[spec.version], site: SITE_DN,
      legacyExchangeDN: `/o=${ORG_NAME}/ou=${ag}/cn=Configuration/cn=Servers/cn=${name}`,
    });
  }
  const mailboxServers = servers.filter((s) => s.roles & ROLE.Mailbox);
  const dags: LabOrg['dags'] = [];
  if (spec.version === 2016 && mailboxServers.length >= 2) {
    const dag = { name: 'DAG1', members: mailboxServers.map((s) => s.name) };
    dags.push(dag);
    for (const s of mailboxServers) s.dag = dag.name;
  }
  const perServer = spec.databasesPerServer ?? (spec.version === 2007 ? 2 : 3);
  const databases: LabDatabase[] = [];
  let dbNo = 0;
  for (const s of mailboxServers) {
    for (let d = 0; d < perServer; d++) {
      dbNo++;
      const prefix = `E${String(d).padStart(2, '0')}`;
      if (spec.version === 2007) {
        const sg = `${SG_NAMES[d % SG_NAMES.length]} Storage Group`;
        const dbName = d === 0 ? 'Mailbox Database' : `Mailbox Database ${d + 1}`;
        const folder = `${INSTALL[2007]}\\${sg}`;
        databases.push({ name: dbName, kind: 'mailbox', server: s.name, storageGroup: sg, edbFile: `${folder}\\${dbName}.edb`,
          logFolder: folder, systemFolder: folder, logPrefix: prefix, mailboxes: 0,
          dn: `CN=${esc(dbName)},CN=${esc(sg)},CN=InformationStore,${s.dn}` });
      } else {
        const dbName = spec.names?.length ? `${s.name}-DB${String(d + 1).padStart(2, '0')}` : `DB${String(dbNo).padStart(3, '0')}`;
        const folder = `${INSTALL[spec.version]}\\${dbName}`;
        databases.push({ name: dbName, kind: 'mailbox', server: s.name, edbFile: `${folder}\\${dbName}.edb`, logFolder: folder,
          systemFolder: folder, logPrefix: prefix, mailboxes: 0, dn: `CN=${esc(dbName)},CN=Databases,${agDn(s.adminGroup)}` });
      }
    }
    if (spec.version === 2007) {
      const sg = 'Public Folder Storage Group';
      const folder = `${INSTALL[2007]}\\${sg}`;
      databases.push({ name: 'Public Folder Database', kind: 'public', server: s.name, storageGroup: sg, edbFile: `${folder}\\Public Folder Database.edb`,
        logFolder: folder, systemFolder: folder, logPrefix: `E${String(perServer).padStart(2, '0')}`, mailboxes: 0,
        dn: `CN=Public Folder Database,CN=${sg},CN=InformationStore,${s.dn}` });
    }
  }
  // In a DAG, a member can own nothing: its copies are all mounted elsewhere (here: on the first member).
  if (dags[0] && dags[0].members.length >= 3) {
    const [first, last] = [dags[0].members[0]!, dags[0].members.at(-1)!];
    for (const d of databases) if (d.server === last) d.server = first;
  }
  // The default lab keeps every mailbox on its first server, so the second is an empty standby.
  const homes = databases.filter((d) => d.kind === 'mailbox' && (!spec.names || d.server === mailboxServers[0]?.name));
  if (homes.length === 0 && spec.mailboxes > 0) throw new Error('This organisation has no mailbox database to hold mailboxes.');
  for (let u = 0; u < spec.mailboxes; u++) homes[Math.floor(random() * homes.length)]!.mailboxes++;
  return { organisation: ORG_NAME, style: spec.version, seed: spec.seed, adminGroups, servers, databases, dags, mailboxes: spec.mailboxes };
}
