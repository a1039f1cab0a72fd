import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { hostOf, imapFetchBySubject, inHost, labStatus, sendMail, sshExec } from './helpers.ts';

const s = labStatus();

describe('the lab hosts', () => {
  it.each(['mail1', 'mail2', 'witness'])('%s takes the lab key over SSH and shows the host key status names', async (name) => {
    const h = hostOf(s, name);
    const r = await sshExec(h, h.hostKeyFingerprint!, 'hostname');
    expect(r.stdout.trim()).toBe(name);
    expect(r.seen).toBe(h.hostKeyFingerprint);
  });

  it('refuses to go on when the host key is not the pinned one', async () => {
    const mail2 = hostOf(s, 'mail2');
    await expect(sshExec(hostOf(s, 'mail1'), mail2.hostKeyFingerprint!, 'true')).rejects.toThrow();
  });

  it('gives each mail host /srv on btrfs with the mail subvolume', async () => {
    for (const name of ['mail1', 'mail2']) {
      const h = hostOf(s, name);
      const r = await sshExec(h, h.hostKeyFingerprint!, 'findmnt -n -o FSTYPE /srv; btrfs subvolume show /srv/mail >/dev/null && echo subvolume');
      expect(r.stdout.split('\n').slice(0, 2)).toEqual(['btrfs', 'subvolume']);
    }
  });

  it('delivers mail sent to mail1 over SMTP into the Maildir, readable over IMAP', async () => {
    const mail1 = hostOf(s, 'mail1');
    const user = s.mail.users[0]!;
    const subject = `lab-check-${randomUUID()}`;
    expect(await sendMail(mail1.address, 'tester@lab.test', `${user}@lab.test`, subject, 'hello from the test')).toMatch(/^250 /);
    const password = readFileSync(s.mail.passwordFile, 'utf8').trim();
    let found: string[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = await imapFetchBySubject(mail1.address, `${user}@lab.test`, password, subject);
      if (!found.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('hello from the test');
    const onDisk = inHost(s, 'mail1', `grep -rl '${subject}' /srv/mail/vmail/lab.test/${user}/Maildir/new /srv/mail/vmail/lab.test/${user}/Maildir/cur | wc -l`);
    expect(onDisk.stdout.trim()).toBe('1');
  });

  it('keeps mail2 as a stopped standby with the same software installed', () => {
    expect(inHost(s, 'mail2', 'pgrep -x master || echo none').stdout.trim()).toBe('none');
    expect(inHost(s, 'mail2', 'command -v postfix dovecot | wc -l').stdout.trim()).toBe('2');
  });

  it('gives every host its own hostname and resolver pointing at the DC', () => {
    for (const name of ['mail1', 'mail2', 'witness']) {
      expect(inHost(s, name, 'hostname').stdout.trim()).toBe(name);
      expect(inHost(s, name, 'cat /etc/resolv.conf').stdout).toContain(`nameserver ${s.directory.dnsServer}`);
    }
  });

  it('has receivers that capture SMTP, SNMP traps and syslog', async () => {
    const r = s.receivers;
    const tag = randomUUID();
    await sendMail(r.smtp.address, 'monitor@lab.test', 'admin@lab.test', `alert-${tag}`, 'failover test');
    inHost(s, 'witness', `logger -n ${r.syslog.address} -P 514 -d "syslog-${tag}"`);
    inHost(s, 'witness', `snmptrap -v 2c -c public ${r.snmp.address}:162 '' 1.3.6.1.4.1.8072.2.3.0.1 1.3.6.1.4.1.8072.2.3.2.1 s "trap-${tag}"`);
    const grep = (file: string, what: string) => inHost(s, 'witness', `for i in $(seq 50); do grep -rq '${what}' ${file} && echo yes && exit; sleep 0.1; done; echo no`).stdout.trim();
    expect(grep(`${r.smtp.maildir}/new`, `alert-${tag}`)).toBe('yes');
    expect(grep(r.syslog.log, `syslog-${tag}`)).toBe('yes');
    expect(grep(r.snmp.log, `trap-${tag}`)).toBe('yes');
  });
});
