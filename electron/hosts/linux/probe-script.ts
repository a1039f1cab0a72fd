/**
 * The one script that gathers a Linux mail host's facts in a single round trip. Each
 * section prints a marker line with its exit code, then the raw output; parsing and
 * judging happen on the controller, never here.
 */
export const SECTION_MARK = '@@FG';

/** name -> shell snippet. Order is kept; every snippet runs even if an earlier one fails. */
export const LINUX_PROBES: ReadonlyArray<[string, string]> = [
  ['os-release', 'cat /etc/os-release'],
  ['hostname', 'hostname; hostname -f 2>/dev/null || hostname'],
  ['kernel', 'uname -srm'],
  ['clock', 'date -u +%s.%N'],
  ['time-sync', 'chronyc -n tracking 2>/dev/null || ntpq -pn 2>/dev/null || timedatectl show -p NTPSynchronized 2>/dev/null || echo none'],
  ['whoami', 'id -u; id -un'],
  ['packages', "dpkg-query -W -f='${Package}\\t${db:Status-Abbrev}\\t${Version}\\n' postfix dovecot-core dovecot-imapd dovecot-lmtpd btrfs-progs rsync openssh-server openssl iproute2 2>/dev/null; true"],
  ['commands', 'for c in postfix postconf postqueue doveconf doveadm btrfs rsync ss ip findmnt sha256sum; do printf "%s\\t%s\\n" "$c" "$(command -v $c || echo -)"; done'],
  ['processes', 'for p in master dovecot sshd; do printf "%s\\t%s\\n" "$p" "$(pgrep -x $p | head -1 || true)"; done'],
  ['listening', 'ss -ltnH'],
  ['srv-mount', 'findmnt -n -o TARGET,SOURCE,FSTYPE,OPTIONS -M /srv'],
  ['srv-df', 'df -B1 --output=size,used,avail,itotal,iused /srv | tail -1'],
  ['srv-device', 'dev=$(findmnt -n -o SOURCE -M /srv | tail -n 1) && printf "device %s\n" "$(blockdev --getsize64 "$dev")" && btrfs filesystem show --raw /srv | grep -E "devid"'],
  ['subvolumes', 'btrfs subvolume list /srv 2>&1; btrfs subvolume show /srv/mail >/dev/null 2>&1 && echo "mail-is-subvolume yes" || echo "mail-is-subvolume no"'],
  ['data-paths', 'for p in /srv/mail /srv/mail/vmail /srv/mail/queue; do stat --printf "%n\\t%u\\t%g\\t%a\\t%F\\t%U\\t%G\\n" "$p" 2>/dev/null || printf "%s\\tmissing\\n" "$p"; done'],
  ['postfix', 'postconf -n 2>/dev/null; printf "queue_directory = %s\\n" "$(postconf -h queue_directory 2>/dev/null)"'],
  ['postfix-queue', 'q=$(postconf -h queue_directory 2>/dev/null); for d in incoming active deferred hold; do printf "%s\\t%s\\n" "$d" "$(find "$q/$d" -type f 2>/dev/null | wc -l)"; done'],
  ['dovecot', 'doveconf -n 2>/dev/null | grep -E "^(mail_location|protocols|listen|first_valid_uid|ssl) ="'],
  ['links', 'ip -o link show'],
  ['addresses', 'ip -o -4 addr show'],
  ['routes', 'ip -4 route show'],
  ['firewall', 'iptables -S 2>/dev/null; echo "--nft--"; nft list ruleset 2>/dev/null; true'],
  ['resolv', 'cat /etc/resolv.conf'],
  ['hosts-file', 'cat /etc/hosts'],
  ['self-resolve', 'getent ahostsv4 "$(hostname -f 2>/dev/null || hostname)" | head -1'],
  ['memory', 'grep -E "^(MemTotal|MemAvailable|SwapTotal):" /proc/meminfo'],
  ['cpu', 'nproc; cat /proc/loadavg'],
  ['sysctl', 'for k in net.ipv4.tcp_keepalive_time net.core.somaxconn fs.file-max; do printf "%s\\t%s\\n" "$k" "$(sysctl -n $k 2>/dev/null)"; done'],
  ['agent-dir', 'stat --printf "%n\\t%u\\t%g\\t%a\\n" /opt/failguard 2>/dev/null || echo missing'],
];

/** Sections only mail hosts need; the witness skips them (postconf alone can take seconds on a host without a mail set-up). */
export const MAIL_ONLY = new Set(['listening', 'srv-mount', 'srv-df', 'srv-device', 'subvolumes', 'data-paths', 'postfix', 'postfix-queue', 'dovecot']);

export function linuxProbeScript(kind: 'mail' | 'witness' = 'mail'): string {
  const parts = LINUX_PROBES.filter(([name]) => kind === 'mail' || !MAIL_ONLY.has(name)).map(([name, cmd]) => `out=$( { ${cmd} ; } 2>&1 ); rc=$?; printf '\\n${SECTION_MARK} %s %s\\n%s\\n' '${name}' "$rc" "$out"`);
  return `export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin\n${parts.join('\n')}\nprintf '\\n${SECTION_MARK} end 0\\n'\n`;
}

export interface RawSection { name: string; rc: number; output: string }

export function splitSections(stdout: string): Map<string, RawSection> {
  const out = new Map<string, RawSection>();
  const re = new RegExp(`^${SECTION_MARK} (\\S+) (\\d+)$`, 'gm');
  const marks = [...stdout.matchAll(re)];
  marks.forEach((m, i) => {
    const start = m.index! + m[0].length + 1;
    const end = i + 1 < marks.length ? marks[i + 1]!.index! - 1 : stdout.length;
    out.set(m[1]!, { name: m[1]!, rc: Number(m[2]), output: stdout.slice(start, Math.max(start, end)).replace(/\n$/, '') });
  });
  return out;
}
