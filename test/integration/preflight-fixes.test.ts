import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { breakCatchFix, s, sh } from './preflight-helpers.ts';
import { openSession } from '../../electron/directory/ldap-session.ts';
import { setDnsRecord, clearDnsRecords } from '../../electron/directory/dns-write.ts';

/** Runs one DNS change through the directory, as an administrator breaking things would. */
async function dns(change: (c: Awaited<ReturnType<typeof openSession>>['client']) => Promise<void>) {
  const session = await openSession({ target: { kind: 'domain', domain: 'lab.test', dnsServer: s.directory.dnsServer }, credentials: { username: s.directory.bindDn, password: readFileSync(s.directory.passwordFile, 'utf8').trim() }, trust: { caPem: readFileSync(s.directory.caFile, 'utf8') } });
  try { await change(session.client); } finally { await session.close(); }
}
const BASE = 'DC=lab,DC=test';

describe('pre-flight catches what the lab breaks, fixes it, and passes again', () => {
  it('a stopped service on the source (Postfix)', async () => {
    const r = await breakCatchFix({ rule: 'source-postfix-running', host: 'MAIL1', breakIt: () => void sh('mail1', 'postfix stop'), restore: () => void sh('mail1', 'postfix status || postfix start') });
    expect(r.plan.steps.map((x) => (x.kind === 'command' ? x.command : x.kind))).toEqual(['postfix start']);
  });

  it('a service running on the standby (Dovecot on the target)', async () => {
    await breakCatchFix({ rule: 'target-dovecot-stopped', host: 'MAIL2', breakIt: () => void sh('mail2', 'pgrep -x dovecot >/dev/null || dovecot </dev/null >/dev/null 2>&1'), restore: () => void sh('mail2', 'pgrep -x dovecot && doveadm stop || true') });
  });

  it('a firewall rule dropping the replication port', async () => {
    const rule = '-A INPUT -p tcp -m tcp --dport 7420 -j DROP';
    const r = await breakCatchFix({ rule: 'firewall-allows-replication', host: 'MAIL1', breakIt: () => void sh('mail1', `iptables ${rule}`), restore: () => void sh('mail1', `iptables ${rule.replace('-A', '-D')} 2>/dev/null || true`) });
    expect(r.before[0]!.evidence[0]!.value).toContain('--dport 7420 -j DROP');
  });

  it('a nearly full volume (the file system smaller than its device)', async () => {
    // Earlier tests leave btrfs chunks scattered over the 4 GiB device, and a shrink that would have to move a chunk
    // with no room left below the new end fails (ENOSPC), so the smallest size that works is taken. Any of them
    // leaves more than 15% free once the fix has grown the file system back to 4 GiB.
    const shrink = 'btrfs balance start -dusage=0 -musage=0 /srv >/dev/null 2>&1; ' +
      'for size in 1G 1536M 2G 2560M 3G; do btrfs filesystem resize $size /srv >/dev/null 2>&1 && exit 0; done; btrfs filesystem resize 3G /srv';
    const fill = 'fallocate -l $(( $(df -B1 --output=avail /srv | tail -1) - 60 * 1048576 )) /srv/mail/filler';
    await breakCatchFix({ rule: 'volume-free-space', host: 'MAIL2', breakIt: () => { sh('mail2', `(${shrink})`); sh('mail2', fill); }, restore: () => void sh('mail2', 'rm -f /srv/mail/filler; btrfs filesystem resize max /srv') });
  });

  it('a wrong DNS record for the target', async () => {
    await breakCatchFix({ rule: 'dns-forward-target', host: 'MAIL2', breakIt: () => dns((c) => setDnsRecord(c, BASE, 'lab.test', 'mail2', 'A', '198.18.0.99')), restore: () => dns((c) => setDnsRecord(c, BASE, 'lab.test', 'mail2', 'A', '198.18.0.12')) });
  });

  it('a missing reverse record for the target', async () => {
    await breakCatchFix({ rule: 'dns-reverse-target', host: 'MAIL2', breakIt: () => dns((c) => clearDnsRecords(c, BASE, '0.18.198.in-addr.arpa', '12', 'PTR')), restore: () => dns((c) => setDnsRecord(c, BASE, '0.18.198.in-addr.arpa', '12', 'PTR', 'mail2.lab.test')) });
  });

  it('mismatched paths between source and target (the Postfix queue)', async () => {
    await breakCatchFix({ rule: 'postfix-queue-path-match', host: 'MAIL2', breakIt: () => void sh('mail2', 'postconf -e queue_directory=/var/spool/postfix'), restore: () => void sh('mail2', 'postconf -e queue_directory=/srv/mail/queue') });
  });

  it('a wrong owner and mode on the data folder of the target', async () => {
    const r = await breakCatchFix({ rule: 'data-owner-match', host: 'MAIL2', breakIt: () => void sh('mail2', 'chown root:root /srv/mail/vmail && chmod 700 /srv/mail/vmail') });
    expect(sh('mail2', 'stat -c "%u:%g %a" /srv/mail/vmail').trim()).toBe(sh('mail1', 'stat -c "%u:%g %a" /srv/mail/vmail').trim());
    expect(r.plan.kind).toBe('safe');
  });

  it('an MTU mismatch', async () => {
    await breakCatchFix({ rule: 'mtu-match', host: 'MAIL2', breakIt: () => void sh('mail2', 'ip link set dev eth0 mtu 1400'), restore: () => void sh('mail2', 'ip link set dev eth0 mtu 1500') });
  });

  it('a missing subvolume on the target (a plain folder instead)', async () => {
    await breakCatchFix({
      rule: 'mail-subvolume', host: 'MAIL2',
      breakIt: () => void sh('mail2', 'mv /srv/mail /srv/mail.sub && mkdir /srv/mail && cp -a /srv/mail.sub/. /srv/mail/ && btrfs -q subvolume delete /srv/mail.sub'),
    });
    expect(sh('mail2', 'stat -c %u /srv/mail/vmail').trim()).toBe('5000');
  });

  it('a volume mounted read-only', async () => {
    await breakCatchFix({ rule: 'srv-mounted-rw', host: 'MAIL2', breakIt: () => void sh('mail2', 'mount -o remount,ro /srv'), restore: () => void sh('mail2', 'mount -o remount,rw /srv') });
  });

  it('different mail domains on source and target', async () => {
    await breakCatchFix({ rule: 'postfix-domains-match', host: 'MAIL2', breakIt: () => void sh('mail2', 'postconf -e virtual_mailbox_domains=other.test'), restore: () => void sh('mail2', 'postconf -e virtual_mailbox_domains=lab.test') });
  });

  it('a different Maildir location in Dovecot on the target', async () => {
    await breakCatchFix({ rule: 'dovecot-mail-location-match', host: 'MAIL2', breakIt: () => void sh('mail2', "sed -i 's|^mail_location = .*|mail_location = maildir:/var/mail/%n|' /etc/dovecot/dovecot.conf") });
  });

  it('a host name that is not the directory name', async () => {
    await breakCatchFix({ rule: 'dir-host-name-matches', host: 'MAIL2', breakIt: () => void sh('mail2', 'hostname standby'), restore: () => void sh('mail2', 'hostname mail2; echo mail2 > /etc/hostname') });
  });

  it('a resolver that is not the DC', async () => {
    await breakCatchFix({ rule: 'resolver-uses-dc', host: 'MAIL2', breakIt: () => void sh('mail2', 'printf "nameserver 198.18.0.13\\nsearch lab.test\\n" > /etc/resolv.conf'), restore: () => void sh('mail2', 'printf "search lab.test\\nnameserver 198.18.0.10\\n" > /etc/resolv.conf') });
  });

  it('a world-writable Failguard folder', async () => {
    await breakCatchFix({ rule: 'agent-dir-secure', host: 'MAIL1', breakIt: () => void sh('mail1', 'mkdir -p /opt/failguard && chmod 777 /opt/failguard'), restore: () => void sh('mail1', 'rm -rf /opt/failguard') });
  });

  it('idle connections noticed only after two hours', async () => {
    await breakCatchFix({ rule: 'tcp-keepalive', host: 'MAIL2', breakIt: () => void sh('mail2', 'sysctl -qw net.ipv4.tcp_keepalive_time=7200') });
  });
});
