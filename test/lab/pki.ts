/** The lab's certificate authority, its TLS certificates, its SSH key and its admin password. */
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { paths } from './config.ts';
import { run } from './sh.ts';

export function ensureCa(): void {
  mkdirSync(paths.ca, { recursive: true, mode: 0o700 });
  if (existsSync(paths.caCert) && existsSync(paths.caKey)) return;
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', paths.caKey, '-out', paths.caCert,
    '-days', '3650', '-subj', '/O=Failguard Lab/CN=Failguard Lab CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  chmodSync(paths.caKey, 0o600);
}

/** Issues a server certificate for the given DNS names (and IP addresses only when given: connecting by IP is otherwise a name mismatch). */
export function issueCert(dir: string, dnsNames: readonly string[], ips: readonly string[] = []): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  const csr = join(dir, 'req.csr');
  const ext = join(dir, 'ext.cnf');
  writeFileSync(ext, `subjectAltName=${[...dnsNames.map((n) => `DNS:${n}`), ...ips.map((a) => `IP:${a}`)].join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/O=Failguard Lab/CN=${dnsNames[0]}`]);
  run('openssl', ['x509', '-req', '-in', csr, '-CA', paths.caCert, '-CAkey', paths.caKey, '-CAcreateserial', '-out', cert, '-days', '825', '-extfile', ext]);
  chmodSync(key, 0o600);
  return { cert, key };
}

export function ensureSshKey(): void {
  mkdirSync(paths.keys, { recursive: true, mode: 0o700 });
  if (!existsSync(paths.sshKey)) run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'failguard-lab', '-f', paths.sshKey]);
  chmodSync(paths.sshKey, 0o600);
}

export function sshPublicKey(): string {
  return readFileSync(`${paths.sshKey}.pub`, 'utf8').trim();
}

/** The domain administrator's password: random per lab, kept in a file only root can read. */
export function ensureAdminPassword(): string {
  mkdirSync(paths.secrets, { recursive: true, mode: 0o700 });
  if (!existsSync(paths.adminPassword)) {
    // Samba's default policy wants upper, lower, digit and symbol.
    writeFileSync(paths.adminPassword, `Fg-${randomBytes(9).toString('base64url')}-7a!`, { mode: 0o600 });
  }
  return readFileSync(paths.adminPassword, 'utf8').trim();
}

/** The key file of the wizard's secret store on the lab (`npm start`): 32 random bytes, root only. */
export function ensureStoreKey(): void {
  mkdirSync(paths.secrets, { recursive: true, mode: 0o700 });
  if (!existsSync(paths.storeKey)) writeFileSync(paths.storeKey, randomBytes(32), { mode: 0o600 });
}

/** The alert receivers' secrets (SMTP submission password, SNMPv3 keys): random per lab, root only. */
export function ensureAlertSecrets(): { smtpUser: string; smtpPassword: string; snmpUser: string; snmpAuthKey: string; snmpPrivKey: string; snmpEngineId: string } {
  mkdirSync(paths.secrets, { recursive: true, mode: 0o700 });
  if (!existsSync(paths.alertSecrets)) {
    const r = () => randomBytes(12).toString('base64url');
    writeFileSync(paths.alertSecrets, JSON.stringify({ smtpUser: 'fgalert', smtpPassword: r(), snmpUser: 'fgalert', snmpAuthKey: r(), snmpPrivKey: r(), snmpEngineId: `8000b98380${randomBytes(6).toString('hex')}` }), { mode: 0o600 });
  }
  return JSON.parse(readFileSync(paths.alertSecrets, 'utf8')) as ReturnType<typeof ensureAlertSecrets>;
}

/** SHA-256 fingerprint of an OpenSSH public key file, as `ssh-keygen -l` prints it (SHA256:...). */
export function fingerprintOf(pubKeyFile: string): string {
  const out = run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubKeyFile]).stdout;
  return out.split(' ')[1] ?? '';
}
