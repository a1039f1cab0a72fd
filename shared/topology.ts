/**
 * The Exchange organisation as discovered in Active Directory: servers, their versions and
 * roles, storage groups, databases and their files, DAGs, mailbox counts. Pure data plus
 * the pure decoders that turn directory values into it.
 */
export type ExchangeProduct = 'Exchange 2000' | 'Exchange 2003' | 'Exchange 2007' | 'Exchange 2010' | 'Exchange 2013' | 'Exchange 2016' | 'Exchange 2019' | 'Exchange SE' | 'unknown';

export interface ExchangeVersion {
  product: ExchangeProduct;
  major: number;
  minor: number;
  build: number;
  revision: number;
  /** As the directory holds it, for example `Version 14.3 (Build 123.4)`. */
  text: string;
}

export type ServerRole = 'mailbox' | 'clientAccess' | 'unifiedMessaging' | 'hubTransport' | 'edge' | 'frontendTransport' | 'cafe';

/** Exchange's ServerRole bit mask (msExchCurrentServerRoles). */
export const ROLE_BITS: ReadonlyArray<[ServerRole, number]> = [
  ['mailbox', 2], ['clientAccess', 4], ['unifiedMessaging', 16], ['hubTransport', 32], ['edge', 64], ['frontendTransport', 16384], ['cafe', 1],
];

export const ROLE_LABELS: Record<ServerRole, string> = {
  mailbox: 'Mailbox', clientAccess: 'Client Access', unifiedMessaging: 'Unified Messaging', hubTransport: 'Hub Transport',
  edge: 'Edge Transport', frontendTransport: 'Front End Transport', cafe: 'Client Access (front end)',
};

export interface StorageGroup {
  name: string;
  dn: string;
  server: string;
  logFolder: string | null;
  systemFolder: string | null;
  logPrefix: string | null;
}

export interface MailboxDatabase {
  name: string;
  dn: string;
  kind: 'mailbox' | 'public';
  /** The server that owns (mounts) it now. */
  server: string | null;
  storageGroup: string | null;
  edbFile: string | null;
  /** The streaming file (.stm), Exchange 2000/2003 only. */
  streamingFile: string | null;
  logFolder: string | null;
  systemFolder: string | null;
  logPrefix: string | null;
  /** The DAG that masters it (2010+), when it is replicated by one. */
  dag: string | null;
  /** Mailboxes homed on it; null for public folder databases. */
  mailboxes: number | null;
}

export interface ExchangeServer {
  name: string;
  dn: string;
  fqdn: string | null;
  adminGroup: string;
  site: string | null;
  version: ExchangeVersion;
  roles: ServerRole[];
  dag: string | null;
  legacyExchangeDN: string | null;
}

export interface Dag {
  name: string;
  dn: string;
  members: string[];
}

export interface DirectoryInfo {
  /** The DC that answered. */
  dcHost: string;
  defaultNamingContext: string;
  configurationNamingContext: string;
  dnsDomain: string;
}

export interface Topology {
  discoveredAt: string;
  directory: DirectoryInfo;
  /** null: the forest has no Exchange organisation. */
  organisation: { name: string; dn: string; legacyExchangeDN: string | null } | null;
  adminGroups: string[];
  servers: ExchangeServer[];
  storageGroups: StorageGroup[];
  databases: MailboxDatabase[];
  dags: Dag[];
}

export function decodeRoles(mask: number | null, legacyServerRole: number | null = null): ServerRole[] {
  if (mask === null) {
    // Exchange 2000/2003 carry only a front-end flag: every back-end server holds mailboxes.
    return legacyServerRole === 1 ? ['frontendTransport'] : ['mailbox'];
  }
  return ROLE_BITS.filter(([, bit]) => (mask & bit) !== 0).map(([role]) => role);
}

/** `Version 15.1 (Build 2507.6)` → Exchange 2016, 15.1.2507.6. */
export function parseExchangeVersion(serialNumber: string | null): ExchangeVersion {
  const text = serialNumber ?? '';
  const m = /Version\s+(\d+)\.(\d+)\s*\(Build\s+(\d+)\.(\d+)/i.exec(text);
  if (!m) return { product: 'unknown', major: 0, minor: 0, build: 0, revision: 0, text };
  const [major, minor, build, revision] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  return { product: productOf(major, minor, build), major, minor, build, revision, text };
}

function productOf(major: number, minor: number, build: number): ExchangeProduct {
  if (major === 6) return minor >= 5 ? 'Exchange 2003' : 'Exchange 2000';
  if (major === 8) return 'Exchange 2007';
  if (major === 14) return 'Exchange 2010';
  if (major === 15 && minor === 0) return 'Exchange 2013';
  if (major === 15 && minor === 1) return 'Exchange 2016';
  // Subscription Edition kept 15.2 and started at build 2562.
  if (major === 15 && minor === 2) return build >= 2562 ? 'Exchange SE' : 'Exchange 2019';
  return 'unknown';
}

/** Servers of one product line can replicate to each other; 2019 and SE share one. */
export function sameMajorVersion(a: ExchangeVersion, b: ExchangeVersion): boolean {
  const line = (v: ExchangeVersion) => (v.product === 'Exchange SE' ? 'Exchange 2019' : v.product);
  return a.product !== 'unknown' && line(a) === line(b);
}

export function mailboxTotal(t: Topology, server?: string): number {
  return t.databases.filter((d) => !server || d.server === server).reduce((n, d) => n + (d.mailboxes ?? 0), 0);
}
