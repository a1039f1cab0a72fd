/**
 * dc1: a Samba 4 Active Directory DC for LAB.TEST with the Exchange schema subset.
 * Provisioning is slow, so it happens once; the result is cached in two layers:
 * `dc1-base` (domain + schema + DNS) and `dc1` (base + the default organisation).
 * `up` restores the default; `org` restores the base and bulk-loads a new organisation offline.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_DN, DNS_DOMAIN, DOMAIN, REALM, hostByName, paths } from './config.ts';
import { attributesLdif, CLASSES, classLdif, userAuxLdif } from './schema.ts';
import { buildOrg, type LabOrg, type OrgSpec } from './org.ts';
import { configLdif, usersLdif } from './org-ldif.ts';
import { issueCert, ensureAdminPassword } from './pki.ts';
import { run, log } from './sh.ts';
import { randomBytes } from 'node:crypto';

export const sambaConf = () => join(paths.samba, 'etc', 'smb.conf');
const samLdb = () => join(paths.samba, 'private', 'sam.ldb');
const baseCache = join(paths.cache, 'dc1-base');
const defaultOrgFile = join(paths.cache, 'org-default.json');

export const DEFAULT_ORG: OrgSpec = { servers: 3, mailboxes: 500, version: 2010, seed: 1, adminGroups: 1, names: ['MAIL1', 'MAIL2', 'MAIL3'], databasesPerServer: 4 };

const schemaOpt = ['--option=dsdb:schema update allowed=true'];

/** Bumped whenever what the build puts into the DC changes, so an older cache is rebuilt. */
const CACHE_VERSION = '6';
const cacheVersionFile = join(paths.cache, 'dc1.version');

export function dcCached(): boolean {
  const version = existsSync(cacheVersionFile) ? readFileSync(cacheVersionFile, 'utf8').trim() : '';
  return version === CACHE_VERSION && existsSync(join(paths.dcCache, 'etc', 'smb.conf')) && existsSync(join(baseCache, 'etc', 'smb.conf')) && existsSync(defaultOrgFile);
}

/** Step 1 of the build: provision the domain and extend its schema, all offline. */
export function provisionDc(): void {
  const dc = hostByName('dc1')!;
  const password = ensureAdminPassword();
  rmSync(paths.samba, { recursive: true, force: true });
  mkdirSync(paths.samba, { recursive: true });
  log('provisioning the LAB.TEST domain (Samba, LMDB backend)');
  run('samba-tool', ['domain', 'provision', `--realm=${REALM}`, `--domain=${DOMAIN}`, '--server-role=dc', '--dns-backend=SAMBA_INTERNAL',
    '--host-name=dc1', `--host-ip=${dc.address}`, `--targetdir=${paths.samba}`, '--backend-store=mdb', '--use-rfc2307',
    `--option=interfaces=${dc.address} 127.0.0.1`, '--option=bind interfaces only=yes',
    `--option=log file=${join(paths.samba, 'log', '%m.log')}`, '--option=logging=file', `--adminpass=${password}`], { secret: password });
  const tls = issueCert(join(paths.root, 'hosts', 'dc1', 'tls'), [`dc1.${DNS_DOMAIN}`, DNS_DOMAIN]);
  const conf = readFileSync(sambaConf(), 'utf8')
    // Provisioning copies the machine's resolver in as a forwarder: the lab DC must never query outside the lab.
    .replace(/^\s*dns forwarder\s*=.*\n/m, '')
    .replace(/\[global\]\n/, `[global]\n\ttls enabled = yes\n\ttls keyfile = ${tls.key}\n\ttls certfile = ${tls.cert}\n\ttls cafile = ${paths.caCert}\n\tldap server require strong auth = yes\n`);
  writeFileSync(sambaConf(), conf);
  log('loading the Exchange schema subset');
  const tmp = join(paths.root, 'tmp');
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'attributes.ldif'), attributesLdif());
  run('ldbadd', ['-H', samLdb(), join(tmp, 'attributes.ldif'), ...schemaOpt]);
  // Samba refuses a class naming another new class in the same transaction: one ldbadd per class.
  for (const c of CLASSES) {
    writeFileSync(join(tmp, 'class.ldif'), classLdif(c));
    run('ldbadd', ['-H', samLdb(), join(tmp, 'class.ldif'), ...schemaOpt]);
  }
  writeFileSync(join(tmp, 'user-aux.ldif'), userAuxLdif());
  run('ldbmodify', ['-H', samLdb(), join(tmp, 'user-aux.ldif'), ...schemaOpt]);
  // A lockout policy, so a locked-out account can be produced and tested.
  run('samba-tool', ['domain', 'passwordsettings', 'set', '-H', samLdb(), '--account-lockout-threshold=5',
    '--account-lockout-duration=30', '--reset-account-lockout-after=30']);
}

/** Step 2 (needs dc1 running): DNS records a real site would have, added through the DC itself. */
export function addDnsRecords(): void {
  const password = ensureAdminPassword();
  const env = { ...process.env, PASSWD: password, USER: 'Administrator' };
  const add = (zone: string, name: string, type: string, data: string) =>
    run('ip', ['netns', 'exec', 'fg-dc1', 'samba-tool', 'dns', 'add', '127.0.0.1', zone, name, type, data, '-s', sambaConf(), '-U', 'Administrator'], { env });
  const reverse = '0.18.198.in-addr.arpa';
  run('ip', ['netns', 'exec', 'fg-dc1', 'samba-tool', 'dns', 'zonecreate', '127.0.0.1', reverse, '-s', sambaConf(), '-U', 'Administrator'], { env });
  for (const name of ['mail1', 'mail2', 'mail3', 'witness', 'recv']) {
    const h = hostByName(name)!;
    add(DNS_DOMAIN, name, 'A', h.address);
    add(reverse, h.address.split('.')[3]!, 'PTR', `${name}.${DNS_DOMAIN}`);
  }
  add(reverse, hostByName('dc1')!.address.split('.')[3]!, 'PTR', `dc1.${DNS_DOMAIN}`);
  add(DNS_DOMAIN, 'mail', 'A', hostByName('mail1')!.address);
  add(DNS_DOMAIN, '@', 'MX', `mail.${DNS_DOMAIN} 10`);
}

/** Accounts in every state a sign-in can fail in, for the directory's bad-input tests. */
export const TEST_ACCOUNTS = { reader: 'fg-reader', disabled: 'fg-disabled', mustChange: 'fg-mustchange', expired: 'fg-expired', locked: 'fg-locked' } as const;
export const testPasswordFile = join(paths.secrets, 'test-users.password');

export function testPassword(): string {
  if (!existsSync(testPasswordFile)) writeFileSync(testPasswordFile, `Tu-${randomBytes(9).toString('base64url')}-4b!`, { mode: 0o600 });
  return readFileSync(testPasswordFile, 'utf8').trim();
}

/** Step 2b (dc1 running): the test accounts, through the DC like an administrator would. */
export function createTestAccounts(): void {
  const env = { ...process.env, PASSWD: ensureAdminPassword(), USER: 'Administrator' };
  const tool = (...args: string[]) => run('ip', ['netns', 'exec', 'fg-dc1', 'samba-tool', ...args, '-H', 'ldap://127.0.0.1', '-s', sambaConf(), '-U', 'Administrator'], { env, secret: testPassword() });
  for (const name of Object.values(TEST_ACCOUNTS)) {
    tool('user', 'create', name, testPassword(), ...(name === TEST_ACCOUNTS.mustChange ? ['--must-change-at-next-login'] : []));
  }
  tool('user', 'disable', TEST_ACCOUNTS.disabled);
}

/**
 * Step 2c (dc1 stopped): a fine-grained password policy whose maximum age is two days (Samba treats
 * one day or less as "never"), applied to one account whose password is then set "three days ago" (faketime).
 */
export function expireTestPassword(): void {
  const tmp = join(paths.root, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const ldif = join(tmp, 'expire.ldif');
  writeFileSync(ldif, [
    `dn: CN=fg-expire-fast,CN=Password Settings Container,CN=System,${BASE_DN}`,
    'objectClass: msDS-PasswordSettings',
    'msDS-PasswordSettingsPrecedence: 1',
    'msDS-PasswordReversibleEncryptionEnabled: FALSE',
    'msDS-PasswordHistoryLength: 0',
    'msDS-PasswordComplexityEnabled: FALSE',
    'msDS-MinimumPasswordLength: 0',
    'msDS-MinimumPasswordAge: 0',
    'msDS-MaximumPasswordAge: -1728000000000',
    'msDS-LockoutThreshold: 0',
    'msDS-LockoutObservationWindow: -300000000',
    'msDS-LockoutDuration: -300000000',
    `msDS-PSOAppliesTo: CN=${TEST_ACCOUNTS.expired},CN=Users,${BASE_DN}`,
    '',
  ].join('\n'));
  run('ldbadd', ['-H', samLdb(), ldif]);
  run('faketime', ['-3 days', 'samba-tool', 'user', 'setpassword', TEST_ACCOUNTS.expired, `--newpassword=${testPassword()}`, '-H', samLdb()], { secret: testPassword() });
}

/** Writes an organisation into the (stopped) DC's database: configuration objects, then users in bulk. */
export async function loadOrg(org: LabOrg): Promise<void> {
  const tmp = join(paths.root, 'tmp');
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'org-config.ldif'), configLdif(org));
  run('ldbadd', ['-H', samLdb(), join(tmp, 'org-config.ldif')]);
  // One ldbadd per 2,000 users, each a single batch transaction: Samba's in-transaction index
  // upkeep grows with the transaction, so small batches keep the cost per user flat (about 2 ms).
  const usersFile = join(tmp, 'org-users.ldif');
  let loaded = 0;
  for (const chunk of usersLdif(org, 2000)) {
    writeFileSync(usersFile, chunk.ldif);
    run('ldbadd', ['-H', samLdb(), '-o', 'batch_mode:1', usersFile], { timeoutMs: 10 * 60 * 1000 });
    loaded += chunk.users;
    if (org.mailboxes >= 20_000 && loaded % 20_000 === 0) log(`  ${loaded} users loaded`);
  }
  writeFileSync(paths.org, JSON.stringify(org, null, 2));
  rmSync(usersFile, { force: true });
}

export function saveCache(which: 'base' | 'default'): void {
  const dest = which === 'base' ? baseCache : paths.dcCache;
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(paths.cache, { recursive: true });
  run('cp', ['-a', '--sparse=always', paths.samba, dest]);
  if (which === 'default') {
    writeFileSync(defaultOrgFile, readFileSync(paths.org));
    writeFileSync(cacheVersionFile, CACHE_VERSION);
  }
}

/** Puts the cached DC back in place (the DC must be stopped). */
export function restoreDc(which: 'base' | 'default'): void {
  // \`base\` has no organisation at all; \`default\` has the lab's.
  rmSync(paths.samba, { recursive: true, force: true });
  run('cp', ['-a', '--sparse=always', which === 'base' ? baseCache : paths.dcCache, paths.samba]);
  if (which === 'default') writeFileSync(paths.org, readFileSync(defaultOrgFile));
  else rmSync(paths.org, { force: true });
}

export function generateOrg(spec: OrgSpec): LabOrg {
  return buildOrg(spec);
}

export { BASE_DN };
