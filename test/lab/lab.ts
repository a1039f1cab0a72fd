/** The lab's commands: up, down, status, org, kill, start. cut/heal/shape live in net.ts. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BASE_DN, DNS_DOMAIN, DOMAIN, HOSTS, REALM, hostByName, paths, type HostSpec } from './config.ts';
import { ensureBridge, ensureHostNetwork, linkExists, netnsExists, removeNetwork, requireHost } from './net.ts';
import { BRIDGE, netnsOf, ports } from './config.ts';
import { ensureAdminPassword, ensureCa, ensureSshKey, ensureStoreKey, fingerprintOf } from './pki.ts';
import { ensureMailImage, fsOf, hostKeysOf, imageOf, prepareHostFs, receiverPaths } from './host-fs.ts';
import { freezeHost, initPidOf, isRunning, killHost, readState, startHost } from './hosts.ts';
import { DEFAULT_ORG, TEST_ACCOUNTS, addDnsRecords, createTestAccounts, dcCached, expireTestPassword, testPassword, testPasswordFile, generateOrg, loadOrg, provisionDc, restoreDc, saveCache } from './dc.ts';
import { dnsA, ldapsBind, readBanner, waitFor } from './probe.ts';
import { assertPackages } from './packages.ts';
import { TEST_USERS } from './host-config.ts';
import type { OrgSpec, LabOrg } from './org.ts';
import { run, log } from './sh.ts';
import { EXT_ZONE, TSIG_ALGORITHM, TSIG_DENIED_KEY, TSIG_KEY, tsigSecretsFile } from './dns-server.ts';

const mailPasswordFile = join(paths.secrets, 'mail.password');

function ensureMailPassword(): string {
  if (!existsSync(mailPasswordFile)) writeFileSync(mailPasswordFile, randomBytes(12).toString('base64url'), { mode: 0o600 });
  return readFileSync(mailPasswordFile, 'utf8').trim();
}

function assertRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('The lab creates network namespaces and mounts, so it must run as root; run it again with sudo.');
}

async function waitForHost(h: HostSpec): Promise<void> {
  const sshUp = () => readBanner(h.address, 22).then((b) => { if (!b.startsWith('SSH-2.0')) throw new Error(`unexpected banner ${b}`); });
  await waitFor(`ssh on ${h.name}`, sshUp, 30_000);
  if (h.kind === 'dc') {
    const password = ensureAdminPassword();
    await waitFor('LDAPS on dc1', () => ldapsBind({ address: h.address, serverName: `dc1.${DNS_DOMAIN}`, caFile: paths.caCert, bindDn: `Administrator@${DNS_DOMAIN}`, password }), 90_000);
    await waitFor('DNS on dc1', () => dnsA(h.address, `dc1.${DNS_DOMAIN}`), 30_000);
  }
  // Only where the mail services start at boot by themselves; where Failguard's agent owns them it decides whether they run (a fenced host's do not).
  const startsAtBoot = (svc: string) => existsSync(join(fsOf(h.name), 'etc/rc2.d')) && readdirSync(join(fsOf(h.name), 'etc/rc2.d')).some((f) => new RegExp(`^S\\d\\d${svc}$`).test(f));
  if (h.kind === 'mail' && startsAtBoot('postfix') && startsAtBoot('dovecot')) {
    await waitFor(`SMTP on ${h.name}`, () => readBanner(h.address, 25).then((b) => { if (!b.startsWith('220')) throw new Error(b); }), 30_000);
    await waitFor(`IMAP on ${h.name}`, () => readBanner(h.address, 143).then((b) => { if (!b.startsWith('* OK')) throw new Error(b); }), 30_000);
  }
  if (h.kind === 'receivers') {
    await waitFor('the SMTP receiver', () => readBanner(h.address, 25).then((b) => { if (!b.startsWith('220')) throw new Error(b); }), 30_000);
    await waitFor('BIND on recv', () => dnsA(h.address, `mail.${EXT_ZONE}`), 30_000);
  }
}

/** Builds the cached DC once: domain, schema, DNS records, then the default organisation. */
async function buildDcCache(): Promise<void> {
  const dc = hostByName('dc1')!;
  provisionDc();
  prepareHostFs(dc, ensureMailPassword());
  await startHost(dc);
  await waitForHost(dc);
  log('adding DNS records (mail1, mail2, mail3, witness, mail, MX, reverse zone)');
  addDnsRecords();
  log('adding test accounts (disabled, must change password, expired password, lockout)');
  createTestAccounts();
  await killHost('dc1');
  expireTestPassword();
  saveCache('base');
  log('loading the default Exchange organisation (MAIL1, MAIL2, MAIL3, 500 mailboxes)');
  await loadOrg(generateOrg(DEFAULT_ORG));
  saveCache('default');
}

export async function up(): Promise<void> {
  assertRoot();
  assertPackages();
  const fresh = !linkExists(BRIDGE);
  ensureCa();
  ensureSshKey();
  ensureStoreKey();
  ensureAdminPassword();
  testPassword();
  const mailPassword = ensureMailPassword();
  mkdirSync(paths.hosts, { recursive: true });
  ensureBridge();
  for (const h of HOSTS) ensureHostNetwork(h);
  if (!dcCached()) await buildDcCache();
  ensureMailImage();
  for (const h of HOSTS) {
    if (isRunning(h.name)) continue;
    // A lab that was down comes back pristine; a host that was only killed keeps its data, like a server after a crash.
    const needsData = fresh || (h.kind === 'dc' ? !existsSync(join(paths.samba, 'etc', 'smb.conf')) : !existsSync(fsOf(h.name)));
    if (needsData) {
      if (h.kind === 'dc') restoreDc('default');
      prepareHostFs(h, mailPassword);
    }
    await startHost(h);
    log(`started ${h.name} (${h.address})`);
  }
  await Promise.all(HOSTS.map((h) => waitForHost(h)));
  log('every service answers');
}

export async function down(): Promise<void> {
  assertRoot();
  for (const h of HOSTS) if (await killHost(h.name)) log(`stopped ${h.name}`);
  // Anything still running in a lab namespace was started by the lab (a host's init and its children).
  for (const h of HOSTS) {
    const ns = netnsOf(h.name);
    if (!netnsExists(ns)) continue;
    const pids = run('ip', ['netns', 'pids', ns], { allowFail: true }).stdout.split(/\s+/).filter(Boolean).map(Number);
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
  for (const r of removeNetwork()) log(`removed ${r}`);
  for (const h of HOSTS) {
    const img = imageOf(h.name);
    if (!existsSync(img)) continue;
    for (const line of run('losetup', ['-j', img], { allowFail: true }).stdout.split('\n').filter(Boolean)) {
      const dev = line.split(':')[0]!;
      run('losetup', ['-d', dev], { allowFail: true });
      log(`detached ${dev}`);
    }
  }
  log('the lab is down');
}

export async function startOne(name: string): Promise<void> {
  assertRoot();
  const h = requireHost(name);
  if (!linkExists(BRIDGE) || !netnsExists(netnsOf(h.name))) throw new Error('The lab is down; bring it up with: npm run lab -- up');
  if (!(await startHost(h))) { log(`${name} is already running`); return; }
  await waitForHost(h);
  log(`${name} is up`);
}

export function freezeOne(name: string, frozen: boolean): void {
  assertRoot();
  requireHost(name);
  const n = freezeHost(name, frozen);
  log(frozen ? `${name} is frozen (${n} processes stopped where they were)` : `${name} goes on (${n} processes)`);
}

export async function killOne(name: string): Promise<void> {
  assertRoot();
  requireHost(name);
  log((await killHost(name)) ? `${name} is off (every process ended at once)` : `${name} was not running`);
}

/** Restores the DC from a cache layer: `base` has no Exchange organisation, `default` the lab's own. */
async function restoreAndRestartDc(which: 'base' | 'default', loadOffline?: () => Promise<void>): Promise<void> {
  assertRoot();
  if (!dcCached()) throw new Error('The lab has not been built yet; run: npm run lab -- up');
  const wasRunning = isRunning('dc1');
  await killHost('dc1');
  restoreDc(which);
  await loadOffline?.();
  if (wasRunning || linkExists(BRIDGE)) {
    await startHost(hostByName('dc1')!);
    await waitForHost(hostByName('dc1')!);
  }
}

/** The domain without Exchange. */
export const removeOrg = () => restoreAndRestartDc('base');
/** The default organisation back. */
export const resetOrg = () => restoreAndRestartDc('default');

export async function replaceOrg(spec: OrgSpec): Promise<{ seconds: number; org: LabOrg }> {
  const started = Date.now();
  const org = generateOrg(spec);
  await restoreAndRestartDc('base', async () => {
    log(`loading ${spec.servers} servers and ${spec.mailboxes} mailboxes (Exchange ${spec.version} style, seed ${spec.seed})`);
    await loadOrg(org);
  });
  return { seconds: (Date.now() - started) / 1000, org };
}

export function status() {
  const dc = hostByName('dc1')!;
  const r = receiverPaths();
  const recv = hostByName('recv')!;
  let org: Partial<LabOrg> = {};
  try { org = JSON.parse(readFileSync(paths.org, 'utf8')) as LabOrg; } catch { /* not built yet */ }
  const fp = (name: string, type: string) => {
    const f = join(hostKeysOf(name), `ssh_host_${type}_key.pub`);
    return existsSync(f) ? fingerprintOf(f) : null;
  };
  return {
    up: linkExists(BRIDGE),
    labDir: paths.root,
    caFile: paths.caCert,
    directory: {
      url: `ldaps://dc1.${DNS_DOMAIN}`, address: dc.address, port: 636, tlsServerName: `dc1.${DNS_DOMAIN}`,
      bindDn: `Administrator@${DNS_DOMAIN}`, bindDnFull: `CN=Administrator,CN=Users,${BASE_DN}`,
      passwordFile: paths.adminPassword, caFile: paths.caCert, dnsServer: dc.address, realm: REALM, domain: DOMAIN,
      dnsDomain: DNS_DOMAIN, baseDn: BASE_DN, running: isRunning('dc1'),
    },
    hosts: HOSTS.filter((h) => h.kind !== 'receivers').map((h) => ({
      name: h.name, fqdn: `${h.name}.${DNS_DOMAIN}`, address: h.address, sshPort: 22, user: 'root', keyFile: paths.sshKey,
      hostKeyFingerprint: fp(h.name, 'ed25519'),
      hostKeyFingerprints: { 'ssh-ed25519': fp(h.name, 'ed25519'), 'ecdsa-sha2-nistp256': fp(h.name, 'ecdsa'), 'rsa-sha2-512': fp(h.name, 'rsa') },
      running: isRunning(h.name), pid: initPidOf(h.name) ?? null, logDir: join(fsOf(h.name), 'var/log'),
      // The witness also takes root's password over SSH.
      ...(h.kind === 'witness' ? { passwordFile: paths.witnessRootPassword } : {}),
    })),
    receivers: {
      smtp: { address: recv.address, port: 25, maildir: r.smtpMaildir },
      /** STARTTLS required (the lab CA), then AUTH with the user and password in `secrets`. */
      submission: { address: recv.address, port: 587, maildir: r.submissionMaildir, caFile: paths.caCert },
      /** smtpUser/smtpPassword, and the SNMPv3 user, keys (SHA, AES) and the engine id traps must come from. */
      secrets: paths.alertSecrets,
      snmp: { address: recv.address, port: 162, log: r.snmpLog },
      syslog: { address: recv.address, port: 514, log: r.syslogLog },
      /** Prometheus, scraping node_exporter on each mail host every second (its textfile collector reads the agent's failguard.prom). */
      prometheus: { url: `http://${recv.address}:${ports.prometheus}` },
      /** An LDAP server without TLS (OpenLDAP): it refuses StartTLS. */
      legacyLdap: { url: `ldap://${recv.address}:389` },
      /** BIND 9, authoritative for a zone outside AD; updates only by RFC 2136 signed with `key` (secrets: key name → base64). */
      dns: { address: recv.address, port: 53, zone: EXT_ZONE, key: TSIG_KEY, deniedKey: TSIG_DENIED_KEY, algorithm: TSIG_ALGORITHM, secrets: tsigSecretsFile },
      running: isRunning('recv'),
    },
    testAccounts: { ...Object.fromEntries(Object.entries(TEST_ACCOUNTS).map(([k, v]) => [k, `${v}@${DNS_DOMAIN}`])), passwordFile: testPasswordFile } as Record<keyof typeof TEST_ACCOUNTS, string> & { passwordFile: string },
    mail: { domain: DNS_DOMAIN, users: TEST_USERS, passwordFile: mailPasswordFile, smtpPort: 25, imapPort: 143 },
    org: { file: paths.org, style: org.style ?? null, servers: org.servers?.length ?? 0, mailboxes: org.mailboxes ?? 0 },
    pids: readState(),
  };
}

