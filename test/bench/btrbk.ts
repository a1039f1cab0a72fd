/**
 * btrbk as a Linux administrator would run it instead of Failguard: a read-only snapshot
 * of /srv/mail on mail1, sent with `btrfs send` over SSH into `btrfs receive` on mail2.
 * Everything it needs lives in /root/fg-btrbk on mail1 (each lab host has its own /root)
 * and is removed again, with its snapshots, after the run.
 */
import { readFileSync } from 'node:fs';
import { inHost, type LabStatus } from '../integration/helpers.ts';

const DIR = '/root/fg-btrbk';

/** Runs one btrbk transfer mail1 → mail2 and returns its wall time in seconds. */
export function benchBtrbk(s: LabStatus): number {
  const sh = (host: string, cmd: string) => {
    const r = inHost(s, host, cmd);
    if (r.code !== 0) throw new Error(`btrbk on ${host}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
    return r.stdout;
  };
  const mail2 = s.hosts.find((h) => h.name === 'mail2')!.address;
  const hostKey = sh('mail2', 'cat /etc/ssh/ssh_host_ed25519_key.pub').trim().split(' ').slice(0, 2).join(' ');
  const identity = readFileSync(s.hosts[0]!.keyFile, 'utf8');
  const conf = [
    `ssh_identity ${DIR}/id`, 'ssh_user root', 'stream_compress no', 'snapshot_dir btrbk-snap',
    'snapshot_preserve_min latest', 'target_preserve_min latest', 'volume /srv', '  subvolume mail', `    target send-receive ssh://${mail2}/srv/btrbk-target`, '',
  ].join('\n');
  // btrbk has no setting for SSH options; a wrapper first on PATH pins mail2's host key.
  const wrapper = `#!/bin/sh\nexec /usr/bin/ssh -o UserKnownHostsFile=${DIR}/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes "$@"\n`;
  sh('mail1', `set -e; rm -rf ${DIR}; mkdir -p ${DIR}/bin /srv/btrbk-snap; chmod 700 ${DIR}
cat > ${DIR}/id <<'K'\n${identity.trim()}\nK
chmod 600 ${DIR}/id
echo '${mail2} ${hostKey}' > ${DIR}/known_hosts
cat > ${DIR}/btrbk.conf <<'C'\n${conf}C
cat > ${DIR}/bin/ssh <<'W'\n${wrapper}W
chmod 755 ${DIR}/bin/ssh`);
  sh('mail2', 'mkdir -p /srv/btrbk-target');
  try {
    const out = sh('mail1', `start=$(date +%s%N); PATH=${DIR}/bin:$PATH btrbk -q -c ${DIR}/btrbk.conf run >&2; echo $(( ($(date +%s%N) - start) / 1000000 ))`);
    const received = sh('mail2', 'ls /srv/btrbk-target').trim();
    if (!received) throw new Error('btrbk reported success but mail2 received nothing');
    return Number(out.trim().split('\n').at(-1)) / 1000;
  } finally {
    const drop = (dir: string) => `for p in ${dir}/*; do [ -d "$p" ] && btrfs -q subvolume delete "$p"; done; rmdir ${dir} 2>/dev/null; true`;
    inHost(s, 'mail1', `${drop('/srv/btrbk-snap')}; rm -rf ${DIR}`);
    inHost(s, 'mail2', drop('/srv/btrbk-target'));
  }
}
