/**
 * Configuration files for the lab's Linux hosts: sshd, Postfix, Dovecot and the alert receivers.
 * Each host sees its own copies (bind-mounted in its private mount namespace), so the
 * machine's own /etc is never changed.
 */
import { DNS_DOMAIN, HOSTS, type HostSpec } from './config.ts';

export const VMAIL_UID = 5000;
/**
 * The directory users that have a mailbox on the mail hosts: every mailbox the lab's directory homes
 * on MAIL1 (all 500 of the default organisation), as a real server carries its directory's mailboxes —
 * a rehearsal's report sets the two against each other. A Maildir appears with the first message.
 */
export const MAILBOX_USERS = Array.from({ length: 500 }, (_, i) => `user${String(i + 1).padStart(6, '0')}`);
/** The users the tests and benchmarks send mail to. */
export const TEST_USERS = MAILBOX_USERS.slice(0, 20);

export function sshdConfig(h: HostSpec): string {
  // The witness alone also takes root's password, so that signing in with a password is tested live.
  const password = h.kind === 'witness';
  return `# Lab host ${h.name}: root logs in with the lab's key${password ? ' or its password (secrets/witness-root.password)' : ' only'}.
Port 22
ListenAddress ${h.address}
HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_ecdsa_key
HostKey /etc/ssh/ssh_host_rsa_key
PermitRootLogin ${password ? 'yes' : 'prohibit-password'}
PubkeyAuthentication yes
PasswordAuthentication ${password ? 'yes' : 'no'}
KbdInteractiveAuthentication no
AuthorizedKeysFile /etc/ssh/authorized_keys
# The key files live under the lab directory, which sshd would otherwise refuse.
StrictModes no
UsePAM no
PidFile /run/sshd.pid
UseDNS no
Subsystem sftp /usr/lib/openssh/sftp-server
`;
}

export function hostsFile(h: HostSpec): string {
  const lines = ['127.0.0.1 localhost', `${h.address} ${h.name}.${DNS_DOMAIN} ${h.name}`];
  return lines.join('\n') + '\n';
}

/** Every host but the DC resolves through the DC, as Windows servers in a domain do. */
export function resolvConf(h: HostSpec): string {
  const dc = HOSTS.find((x) => x.kind === 'dc')!;
  return `search ${DNS_DOMAIN}\nnameserver ${h.kind === 'dc' ? '127.0.0.1' : dc.address}\n`;
}

export function postfixMain(h: HostSpec): string {
  return `# Lab host ${h.name}: SMTP in, LMTP delivery to Dovecot, queue on the btrfs volume.
compatibility_level = 3.6
myhostname = ${h.name}.${DNS_DOMAIN}
mydomain = ${DNS_DOMAIN}
myorigin = $myhostname
mydestination = localhost
inet_interfaces = ${h.address}, 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8 198.18.0.0/24
queue_directory = /srv/mail/queue
data_directory = /var/lib/postfix
virtual_mailbox_domains = ${DNS_DOMAIN}
virtual_mailbox_maps = texthash:/etc/postfix/vmailbox
virtual_transport = lmtp:inet:127.0.0.1:24
alias_maps =
alias_database =
maillog_file = /var/log/postfix.log
smtpd_banner = $myhostname ESMTP
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
biff = no
relayhost =
smtp_host_lookup = native
`;
}

/** Debian's master.cf with chroot switched off: the queue lives on /srv, outside any chroot we could prepare. */
export function postfixMaster(debianMaster: string): string {
  return debianMaster
    .split('\n')
    .map((line) => {
      if (/^\s|^#|^$/.test(line)) return line;
      const f = line.split(/\s+/);
      if (f.length < 8) return line;
      f[4] = 'n';
      return f.join('  ');
    })
    .join('\n');
}

export function postfixVmailbox(): string {
  return MAILBOX_USERS.map((u) => `${u}@${DNS_DOMAIN} ${DNS_DOMAIN}/${u}/`).join('\n') + '\n';
}

export function dovecotConf(h: HostSpec): string {
  return `# Lab host ${h.name}: IMAP for users, LMTP for Postfix; Maildirs on the btrfs volume.
protocols = imap lmtp
listen = ${h.address}, 127.0.0.1
base_dir = /run/dovecot
state_dir = /var/lib/dovecot
log_path = /var/log/dovecot.log
ssl = yes
ssl_cert = </etc/dovecot/tls/cert.pem
ssl_key = </etc/dovecot/tls/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:/srv/mail/vmail/%d/%n/Maildir
first_valid_uid = ${VMAIL_UID}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u /etc/dovecot/users
}
userdb {
  driver = passwd-file
  args = username_format=%u /etc/dovecot/users
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = 24
  }
}
service imap-login {
  inet_listener imaps {
    port = 0
  }
}
protocol lmtp {
  postmaster_address = postmaster@${DNS_DOMAIN}
}
`;
}

export function dovecotUsers(password: string): string {
  return MAILBOX_USERS.map((u) => `${u}@${DNS_DOMAIN}:{PLAIN}${password}:${VMAIL_UID}:${VMAIL_UID}::/srv/mail/vmail/${DNS_DOMAIN}/${u}::`).join('\n') + '\n';
}

export interface ReceiverPaths { smtpMaildir: string; snmpLog: string; syslogLog: string; snmpConf: string; rsyslogConf: string }

export function snmptrapdConf(v3: { user: string; authKey: string; privKey: string; engineId: string }): string {
  return `# Lab receiver: log every v2c trap whatever its community, and v3 traps of one authPriv user (SHA, AES).
disableAuthorization yes
createUser -e 0x${v3.engineId} ${v3.user} SHA "${v3.authKey}" AES "${v3.privKey}"
authUser log ${v3.user} priv
`;
}

/** The authenticated mail receiver (submission, port 587): STARTTLS required, then AUTH PLAIN/LOGIN with one user. */
export const SMTP_SUBMISSION = `import ssl, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword
address, port, maildir, cert, key, secrets = sys.argv[1:]
import json
s = json.load(open(secrets))
def authenticate(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login.decode() == s['smtpUser'] and data.password.decode() == s['smtpPassword']
    return AuthResult(success=ok, handled=False)
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
Controller(Mailbox(maildir), hostname=address, port=int(port), tls_context=ctx, require_starttls=True,
           authenticator=authenticate, auth_required=True, auth_require_tls=True).start()
threading.Event().wait()
`;

export function rsyslogConf(h: HostSpec, logFile: string): string {
  return `# Lab receiver: everything sent over UDP or TCP 514 lands in one file.
global(workDirectory="/run")
module(load="imudp")
input(type="imudp" address="${h.address}" port="514")
module(load="imtcp")
input(type="imtcp" address="${h.address}" port="514")
*.* action(type="omfile" file="${logFile}")
`;
}

/** A legacy LDAP server without TLS: it refuses StartTLS, as an old or misconfigured DC would. */
export function slapdConf(dbDir: string): string {
  return `include /etc/ldap/schema/core.schema
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
suffix "dc=legacy,dc=test"
directory ${dbDir}
`;
}

/** Prometheus on recv: node_exporter on each mail host, scraped every second (the agent rewrites its file as often), as the README tells an operator to. */
export function prometheusConf(targets: string[]): string {
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    # The agent's series carry the Failguard job's name as \`job\`: kept, not renamed exported_job.
    honor_labels: true
    static_configs:
      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]
`;
}
