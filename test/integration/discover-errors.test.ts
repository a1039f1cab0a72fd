import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { discover } from '../../electron/directory/discover.ts';
import { labStatus } from './helpers.ts';
import type { CertificateInfo, DirectoryTarget, DirectoryTrust } from '../../shared/directory.ts';
import { UserError } from '../../shared/errors.ts';

const s = labStatus();
const d = s.directory;
const caPem = readFileSync(d.caFile, 'utf8');
const testPassword = readFileSync(s.testAccounts.passwordFile, 'utf8').trim();
const adminPassword = readFileSync(d.passwordFile, 'utf8').trim();
const byDomain: DirectoryTarget = { kind: 'domain', domain: 'lab.test', dnsServer: d.dnsServer };
const witness = s.hosts.find((h) => h.name === 'witness')!;

async function failure(target: DirectoryTarget, username: string, password: string, trust: DirectoryTrust = { caPem }): Promise<UserError> {
  try {
    await discover({ target, credentials: { username, password }, trust });
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    const err = e as UserError;
    // One plain sentence: no line breaks, no stack, never the password.
    expect(err.message).not.toMatch(/\n/);
    expect(err.message).not.toContain(password);
    return err;
  }
  throw new Error('discovery should have failed');
}

/** What the directory holds, to prove a failed attempt changed nothing. */
const snapshot = async () => {
  const t = await discover({ target: byDomain, credentials: { username: d.bindDn, password: adminPassword }, trust: { caPem } });
  return JSON.stringify({ servers: t.servers, databases: t.databases });
};
let before: string;
beforeAll(async () => { before = await snapshot(); });

describe('discovery: bad input, one clear sentence each', () => {
  it.each([
    ['a wrong password', s.testAccounts.reader, 'not-the-password', 'bad-credentials', 'password'],
    ['an unknown user', 'nobody-here@lab.test', 'whatever', 'bad-credentials', 'password'],
    ['a disabled account', s.testAccounts.disabled, testPassword, 'account-disabled', 'username'],
    ['an expired password', s.testAccounts.expired, testPassword, 'password-expired', 'password'],
    ['a password that must change', s.testAccounts.mustChange, testPassword, 'password-must-change', 'password'],
  ])('%s', async (_what, user, password, code, field) => {
    expect(await failure(byDomain, user, password)).toMatchObject({ code, field });
  });

  it('a locked-out account (after the lab policy\'s five wrong passwords)', async () => {
    for (let i = 0; i < 5; i++) await failure(byDomain, s.testAccounts.locked, `wrong-${i}`);
    expect(await failure(byDomain, s.testAccounts.locked, testPassword)).toMatchObject({ code: 'account-locked' });
  });

  it('a DC that does not answer', async () => {
    expect(await failure({ kind: 'url', url: `ldaps://${witness.address}` }, d.bindDn, adminPassword)).toMatchObject({ code: 'dc-unreachable', field: 'url' });
    // No host at this lab address: the kernel gives up (no ARP answer) or the connect times out.
    const gone = await failure({ kind: 'url', url: 'ldaps://198.18.0.99' }, d.bindDn, adminPassword);
    expect(['dc-unreachable', 'dc-timeout']).toContain(gone.code);
    expect(gone.message).toContain('198.18.0.99');
  });

  it('a CA that is not the lab\'s: the certificate is shown to be trusted or not, and pinning it works', async () => {
    const other = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null', '-days', '1', '-subj', '/CN=Other CA'], { encoding: 'utf8' }).stdout;
    const err = await failure(byDomain, d.bindDn, adminPassword, { caPem: other });
    expect(err.code).toBe('untrusted-certificate');
    const cert = err.details as CertificateInfo;
    expect(cert.subject).toContain('CN=dc1.lab.test');
    expect(cert.subjectAltNames).toContain('dc1.lab.test');
    expect(cert.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const fromOpenssl = spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', d.caFile], { encoding: 'utf8' }).stdout;
    const pinnedIsLabCa = fromOpenssl.includes(cert.pin.fingerprint256);
    const pinnedIsLeaf = cert.pin.fingerprint256 === cert.fingerprint256;
    expect(pinnedIsLabCa || pinnedIsLeaf).toBe(true);
    const t = await discover({ target: byDomain, credentials: { username: d.bindDn, password: adminPassword }, trust: { pinned: [cert.pin] } });
    expect(t.servers).toHaveLength(3);
  });

  it('a certificate name mismatch (connecting by IP address)', async () => {
    const err = await failure({ kind: 'url', url: `ldaps://${d.address}` }, d.bindDn, adminPassword);
    expect(err).toMatchObject({ code: 'certificate-name-mismatch', field: 'url' });
    expect(err.message).toContain('dc1.lab.test');
  });

  it('StartTLS refused (an LDAP server without TLS)', async () => {
    expect(await failure({ kind: 'url', url: s.receivers.legacyLdap.url }, d.bindDn, adminPassword)).toMatchObject({ code: 'starttls-refused', field: 'url' });
  });

  it('a domain with no SRV records', async () => {
    expect(await failure({ kind: 'domain', domain: 'nowhere.test', dnsServer: d.dnsServer }, d.bindDn, adminPassword)).toMatchObject({ code: 'no-dc-found', field: 'domain' });
  });

  it('input that is not a domain, URL or user: refused before anything is sent', async () => {
    expect(await failure({ kind: 'url', url: 'https://dc1' }, d.bindDn, adminPassword)).toMatchObject({ code: 'bad-input', field: 'url' });
    expect(await failure(byDomain, '', adminPassword)).toMatchObject({ code: 'bad-input', field: 'username' });
  });

  it('changed nothing in the directory', async () => {
    expect(await snapshot()).toBe(before);
  });
});
