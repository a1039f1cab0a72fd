/**
 * Prepares a lab host's private files: its /etc overrides, logs, state, the btrfs
 * volume image and its init script. Identities (SSH host keys) survive `down`;
 * data (volume, logs, mail) is restored fresh on every `up`.
 */
import { chownSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DNS_DOMAIN, HOSTS, paths, ports, type HostSpec } from './config.ts';
import { dovecotConf, dovecotUsers, hostsFile, postfixMain, postfixMaster, postfixVmailbox, prometheusConf, resolvConf, rsyslogConf, slapdConf, SMTP_SUBMISSION, snmptrapdConf, sshdConfig, VMAIL_UID } from './host-config.ts';
import { ensureAlertSecrets, issueCert, sshPublicKey } from './pki.ts';
import { run } from './sh.ts';
import { prepareNamed } from './dns-server.ts';

export const fsOf = (name: string) => join(paths.host(name), 'fs');
export const imageOf = (name: string) => join(paths.host(name), 'srv.img');
export const hostKeysOf = (name: string) => join(paths.root, 'identity', name);

/** Files and folders of the host's own that shadow the machine's, in its mount namespace. */
/**
 * A protected host boots the way a Debian server without systemd does: its own /etc/init.d and
 * runlevel folders, whose S links the host's init runs in order (hosts.ts). What starts at boot
 * is what the lab set up as the OS (Postfix and Dovecot where mail is active) plus what Failguard's
 * provisioning changed there with update-rc.d — nothing else.
 */
export const BOOT_DIRS = ['etc/init.d', ...['0', '1', '2', '3', '4', '5', '6', 'S'].map((r) => `etc/rc${r}.d`)];

/** The OS's own start scripts for the mail services (what a package installs), as update-rc.d reads them. */
const initScript = (name: string, start: string, stop: string) => `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${name}
# Required-Start:    $local_fs $network
# Required-Stop:     $local_fs $network
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: ${name} (lab host)
### END INIT INFO
case "$1" in start) ${start} ;; stop) ${stop} ;; *) exit 3 ;; esac
`;

function prepareBoot(h: HostSpec, root: string): void {
  for (const d of BOOT_DIRS) mkdirSync(join(root, d), { recursive: true });
  if (h.kind !== 'mail') return;
  // Debian's node_exporter, as a monitored server runs it: its textfile collector reads the host's own folder.
  mkdirSync(join(root, 'var/lib/prometheus/node-exporter'), { recursive: true });
  const exporter = `prometheus-node-exporter --web.listen-address=${h.address}:${ports.nodeExporter} --collector.disable-defaults --collector.textfile ` +
    '--collector.textfile.directory=/var/lib/prometheus/node-exporter >>/var/log/node-exporter.log 2>&1 &';
  writeFileSync(join(root, 'etc/init.d/prometheus-node-exporter'), initScript('prometheus-node-exporter', exporter, 'pkill -x prometheus-node-exporter || true'), { mode: 0o755 });
  for (const r of ['0', '1', '2', '3', '4', '5', '6']) {
    symlinkSync('../init.d/prometheus-node-exporter', join(root, `etc/rc${r}.d`, `${['0', '1', '6'].includes(r) ? 'K' : 'S'}02prometheus-node-exporter`));
  }
  const services: Array<[string, string, string]> = [['dovecot', 'dovecot -c /etc/dovecot/dovecot.conf', 'doveadm stop'], ['postfix', 'postfix start', 'postfix stop']];
  for (const [name, start, stop] of services) {
    writeFileSync(join(root, 'etc/init.d', name), initScript(name, start, stop), { mode: 0o755 });
    // Enabled where mail is active (S in 2–5), installed but disabled on a standby (as `update-rc.d NAME disable` leaves it).
    for (const r of ['0', '1', '2', '3', '4', '5', '6']) {
      const on = h.mailActive && !['0', '1', '6'].includes(r);
      symlinkSync(`../init.d/${name}`, join(root, `etc/rc${r}.d`, `${on ? 'S' : 'K'}01${name}`));
    }
  }
}

export function privateMounts(h: HostSpec): string[] {
  // Each host has its own /root too: the machine's root profile (pyenv and the like) must not run on every SSH command.
  const common = ['etc/ssh', 'etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'etc/failguard', 'var/log', 'var/lib/failguard', 'opt', 'root'];
  if (h.kind === 'mail') return [...common, ...BOOT_DIRS, 'etc/postfix', 'etc/dovecot', 'var/lib/postfix', 'var/lib/dovecot', 'var/lib/prometheus'];
  // The witness's own shadow file gives its root a password (the machine's root keeps its own).
  if (h.kind === 'witness') return [...common, ...BOOT_DIRS, 'etc/shadow'];
  return common;
}

/** Root's password on the witness (made once, kept under secrets/). */
export function witnessRootPassword(): string {
  if (!existsSync(paths.witnessRootPassword)) {
    mkdirSync(paths.secrets, { recursive: true, mode: 0o700 });
    writeFileSync(paths.witnessRootPassword, randomBytes(12).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(paths.witnessRootPassword, 'utf8').trim();
}

/** The machine's /etc/shadow with root's hash replaced (SHA-512 crypt, as passwd makes it). */
function shadowWithRootPassword(password: string): string {
  const hash = run('openssl', ['passwd', '-6', '-stdin'], { input: password, secret: password }).stdout.trim();
  const lines = readFileSync('/etc/shadow', 'utf8').split('\n').map((l) => (l.startsWith('root:') ? ['root', hash, ...l.split(':').slice(2)].join(':') : l));
  return lines.join('\n');
}

function uidOf(user: string): number {
  return Number(run('id', ['-u', user]).stdout.trim());
}
function gidOf(group: string): number {
  return Number(run('getent', ['group', group]).stdout.split(':')[2]);
}

function ensureHostKeys(name: string): void {
  const dir = hostKeysOf(name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const type of ['ed25519', 'ecdsa', 'rsa']) {
    const f = join(dir, `ssh_host_${type}_key`);
    if (!existsSync(f)) run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `root@${name}`, '-f', f]);
  }
}

/** The btrfs image every mail host starts from: subvolume `mail` with the Maildir root and queue. */
export function ensureMailImage(): void {
  if (existsSync(paths.mailImageCache)) return;
  mkdirSync(paths.cache, { recursive: true });
  const tmp = `${paths.mailImageCache}.tmp`;
  rmSync(tmp, { force: true });
  run('truncate', ['-s', '4G', tmp]);
  run('mkfs.btrfs', ['-q', '-L', 'srv', tmp]);
  // Mounted in a throwaway mount namespace, so nothing can leak into the machine's mounts.
  const script = `set -e; m=$(mktemp -d); mount -o loop "${tmp}" "$m"; btrfs -q subvolume create "$m/mail"; ` +
    `mkdir -p "$m/mail/vmail/${DNS_DOMAIN}"; chown -R ${VMAIL_UID}:${VMAIL_UID} "$m/mail/vmail"; umount "$m"; rmdir "$m"`;
  run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script]);
  run('mv', [tmp, paths.mailImageCache]);
}

export function prepareHostFs(h: HostSpec, mailPassword: string): void {
  const root = fsOf(h.name);
  rmSync(root, { recursive: true, force: true });
  for (const d of ['etc/ssh', 'etc/failguard', 'var/log', 'var/lib/failguard', 'opt', 'root']) mkdirSync(join(root, d), { recursive: true, mode: 0o700 });
  writeFileSync(join(root, 'etc/hostname'), `${h.name}\n`);
  writeFileSync(join(root, 'etc/hosts'), hostsFile(h));
  writeFileSync(join(root, 'etc/resolv.conf'), resolvConf(h));
  ensureHostKeys(h.name);
  for (const type of ['ed25519', 'ecdsa', 'rsa']) {
    for (const suffix of ['', '.pub']) copyFileSync(join(hostKeysOf(h.name), `ssh_host_${type}_key${suffix}`), join(root, 'etc/ssh', `ssh_host_${type}_key${suffix}`));
    chmodSync(join(root, 'etc/ssh', `ssh_host_${type}_key`), 0o600);
  }
  if (existsSync('/etc/ssh/moduli')) copyFileSync('/etc/ssh/moduli', join(root, 'etc/ssh/moduli'));
  writeFileSync(join(root, 'etc/ssh/sshd_config'), sshdConfig(h));
  writeFileSync(join(root, 'etc/ssh/authorized_keys'), `${sshPublicKey()}\n`, { mode: 0o600 });
  if (h.kind === 'mail' || h.kind === 'witness') prepareBoot(h, root);
  if (h.kind === 'mail') prepareMail(h, root, mailPassword);
  if (h.kind === 'witness') writeFileSync(join(root, 'etc/shadow'), shadowWithRootPassword(witnessRootPassword()), { mode: 0o640 });
  if (h.kind === 'receivers') prepareReceivers(h);
}

function prepareMail(h: HostSpec, root: string, mailPassword: string): void {
  const pf = join(root, 'etc/postfix');
  cpSync('/etc/postfix', pf, { recursive: true });
  writeFileSync(join(pf, 'main.cf'), postfixMain(h));
  writeFileSync(join(pf, 'master.cf'), postfixMaster(readFileSync('/etc/postfix/master.cf', 'utf8')));
  writeFileSync(join(pf, 'vmailbox'), postfixVmailbox());
  const dv = join(root, 'etc/dovecot');
  mkdirSync(dv, { recursive: true });
  writeFileSync(join(dv, 'dovecot.conf'), dovecotConf(h));
  writeFileSync(join(dv, 'users'), dovecotUsers(mailPassword), { mode: 0o640 });
  chownSync(join(dv, 'users'), 0, gidOf('dovecot'));
  const tls = issueCert(join(paths.host(h.name), 'tls'), [`${h.name}.${DNS_DOMAIN}`, `mail.${DNS_DOMAIN}`]);
  mkdirSync(join(dv, 'tls'), { recursive: true });
  copyFileSync(tls.cert, join(dv, 'tls/cert.pem'));
  copyFileSync(tls.key, join(dv, 'tls/key.pem'));
  const pfData = join(root, 'var/lib/postfix');
  mkdirSync(pfData, { recursive: true });
  chownSync(pfData, uidOf('postfix'), gidOf('postfix'));
  mkdirSync(join(root, 'var/lib/dovecot'), { recursive: true });
  // The volume is restored from the pristine image: the standby starts empty, as a new server would.
  run('cp', ['--sparse=always', paths.mailImageCache, imageOf(h.name)]);
}

export function receiverPaths() {
  const dir = paths.receivers;
  return { dir, smtpMaildir: join(dir, 'smtp'), submissionMaildir: join(dir, 'submission'), submissionScript: join(paths.host('recv'), 'smtp-submission.py'), tls: join(paths.host('recv'), 'tls'), snmpLog: join(dir, 'snmptraps.log'), syslogLog: join(dir, 'syslog.log'),
    snmpConf: join(paths.host('recv'), 'snmptrapd.conf'), rsyslogConf: join(paths.host('recv'), 'rsyslog.conf'),
    slapdConf: join(paths.host('recv'), 'slapd.conf'), slapdDb: join(paths.host('recv'), 'slapd-db'),
    prometheusConf: join(paths.host('recv'), 'prometheus.yml'), prometheusData: join(paths.host('recv'), 'prometheus-data') };
}

function prepareReceivers(h: HostSpec): void {
  const p = receiverPaths();
  rmSync(p.dir, { recursive: true, force: true });
  for (const sub of ['cur', 'new', 'tmp']) for (const md of [p.smtpMaildir, p.submissionMaildir]) mkdirSync(join(md, sub), { recursive: true });
  writeFileSync(p.submissionScript, SMTP_SUBMISSION);
  issueCert(p.tls, [`recv.${DNS_DOMAIN}`], [h.address]);
  writeFileSync(p.snmpLog, '');
  writeFileSync(p.syslogLog, '');
  const a = ensureAlertSecrets();
  writeFileSync(p.snmpConf, snmptrapdConf({ user: a.snmpUser, authKey: a.snmpAuthKey, privKey: a.snmpPrivKey, engineId: a.snmpEngineId }), { mode: 0o600 });
  writeFileSync(p.rsyslogConf, rsyslogConf(h, p.syslogLog));
  rmSync(p.slapdDb, { recursive: true, force: true });
  mkdirSync(p.slapdDb, { recursive: true });
  writeFileSync(p.slapdConf, slapdConf(p.slapdDb));
  rmSync(p.prometheusData, { recursive: true, force: true });
  mkdirSync(p.prometheusData, { recursive: true });
  writeFileSync(p.prometheusConf, prometheusConf(HOSTS.filter((x) => x.kind === 'mail').map((x) => `${x.address}:${ports.nodeExporter}`)));
  prepareNamed(h);
}
