/** What the lab needs from Debian, and a plain sentence when something is missing. */
import { run } from './sh.ts';

/** command -> Debian package that provides it. */
export const REQUIRED: ReadonlyArray<[string, string]> = [
  ['samba', 'samba'], ['samba-tool', 'samba'], ['ldbadd', 'ldb-tools'], ['mkfs.btrfs', 'btrfs-progs'], ['btrfs', 'btrfs-progs'],
  ['postfix', 'postfix'], ['dovecot', 'dovecot-imapd'], ['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client'],
  ['snmptrapd', 'snmptrapd'], ['rsyslogd', 'rsyslog'], ['openssl', 'openssl'], ['unshare', 'util-linux'], ['nsenter', 'util-linux'],
  ['slapd', 'slapd'], ['faketime', 'faketime'], ['ping', 'iputils-ping'], ['tc', 'iproute2'], ['ip', 'iproute2'], ['iperf3', 'iperf3'], ['dig', 'bind9-dnsutils'], ['named', 'bind9'],
  ['prometheus', 'prometheus'], ['promtool', 'prometheus'], ['prometheus-node-exporter', 'prometheus-node-exporter'],
];

export function missingPackages(): string[] {
  const missing = new Set<string>();
  for (const [cmd, pkg] of REQUIRED) {
    const found = run('sh', ['-c', `command -v ${cmd}`], { allowFail: true }).code === 0;
    if (!found) missing.add(pkg);
  }
  if (run('/usr/bin/python3', ['-c', 'import aiosmtpd, samba'], { allowFail: true }).code !== 0) missing.add('python3-aiosmtpd python3-samba');
  if (run('sh', ['-c', 'test -d /usr/share/samba/setup/ad-schema'], { allowFail: true }).code !== 0) missing.add('samba-ad-provision');
  return [...missing];
}

export function assertPackages(): void {
  const missing = missingPackages();
  if (missing.length) {
    throw new Error(`The lab needs Debian packages that are not installed (${missing.join(', ')}); install them with: sudo .ci/install-deps`);
  }
}
