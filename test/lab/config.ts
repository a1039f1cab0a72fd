/**
 * The lab's fixed facts: where it lives on disk, its addresses and its hosts.
 * Every address comes from 198.18.0.0/15 (RFC 2544 benchmarking space), so the lab
 * can never collide with, or reach, a real network.
 */
import { join } from 'node:path';

export const LAB_DIR = process.env.FAILGUARD_LAB_DIR ?? '/var/lib/failguard-lab';
export const BRIDGE = 'fgbr0';
export const BRIDGE_ADDRESS = '198.18.0.1';
export const PREFIX = 24;
export const REALM = 'LAB.TEST';
export const DOMAIN = 'LAB';
export const DNS_DOMAIN = 'lab.test';
export const BASE_DN = 'DC=lab,DC=test';
export const ORG_NAME = 'Failguard Lab';

/** The kinds of host the lab runs; each kind has its own init. */
export type HostKind = 'dc' | 'mail' | 'witness' | 'receivers';

export interface HostSpec {
  readonly name: string;
  readonly kind: HostKind;
  readonly address: string;
  /** mail1 runs Postfix and Dovecot; mail2 and mail3 are stopped standbys. */
  readonly mailActive?: boolean;
}

export const HOSTS: readonly HostSpec[] = [
  { name: 'dc1', kind: 'dc', address: '198.18.0.10' },
  { name: 'mail1', kind: 'mail', address: '198.18.0.11', mailActive: true },
  { name: 'mail2', kind: 'mail', address: '198.18.0.12', mailActive: false },
  { name: 'mail3', kind: 'mail', address: '198.18.0.14', mailActive: false },
  { name: 'witness', kind: 'witness', address: '198.18.0.13' },
  { name: 'recv', kind: 'receivers', address: '198.18.0.20' },
];

export function hostByName(name: string): HostSpec | undefined {
  return HOSTS.find((h) => h.name === name);
}

export const netnsOf = (name: string): string => `fg-${name}`;
/** The bridge-side end of a host's veth pair (interface names are at most 15 bytes). */
export const vethOf = (name: string): string => `fgv-${name}`;

export const paths = {
  root: LAB_DIR,
  ca: join(LAB_DIR, 'ca'),
  caCert: join(LAB_DIR, 'ca', 'ca.pem'),
  caKey: join(LAB_DIR, 'ca', 'ca.key'),
  keys: join(LAB_DIR, 'keys'),
  sshKey: join(LAB_DIR, 'keys', 'id_ed25519'),
  secrets: join(LAB_DIR, 'secrets'),
  adminPassword: join(LAB_DIR, 'secrets', 'admin.password'),
  /** The key file `npm start` opens Failguard's secret store with (the jobs' keys and passwords, encrypted). */
  storeKey: join(LAB_DIR, 'secrets', 'store.key'),
  /** Root's password on the witness, the one host that also takes a password over SSH. */
  witnessRootPassword: join(LAB_DIR, 'secrets', 'witness-root.password'),
  alertSecrets: join(LAB_DIR, 'secrets', 'alert-receivers.json'),
  cache: join(LAB_DIR, 'cache'),
  dcCache: join(LAB_DIR, 'cache', 'dc1'),
  // 4 GiB, sparse: room for the replication benchmark's 1 GiB initial sync beside its points.
  mailImageCache: join(LAB_DIR, 'cache', 'srv-4g.img'),
  hosts: join(LAB_DIR, 'hosts'),
  state: join(LAB_DIR, 'state.json'),
  org: join(LAB_DIR, 'org.json'),
  host: (name: string): string => join(LAB_DIR, 'hosts', name),
  samba: join(LAB_DIR, 'hosts', 'dc1', 'samba'),
  receivers: join(LAB_DIR, 'hosts', 'recv', 'capture'),
};

export const ports = { smtp: 25, imap: 143, lmtp: 24, ssh: 22, ldaps: 636, ldap: 389, dns: 53, snmpTrap: 162, syslog: 514, receiverSmtp: 25, nodeExporter: 9100, prometheus: 9090 };
