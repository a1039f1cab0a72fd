/**
 * Directory failures as one plain sentence each, with what to do. Active Directory
 * explains a failed bind in a `data <hex>` field (a Win32 error); network and TLS
 * failures come from Node. The password never appears in any of these.
 */
import type { CertificateInfo, DirectoryErrorCode } from '../../shared/directory.ts';
import { UserError } from '../../shared/errors.ts';

/** AD's bind sub-codes (../shared/docs/exchange-ad.md §7). */
const BIND_SUBCODES: Record<string, [DirectoryErrorCode, string]> = {
  '525': ['no-such-user', 'There is no account called {user} in the directory; check the user name.'],
  '52e': ['bad-credentials', 'The user name or password is wrong; check both (Samba and some DCs do not say which).'],
  '530': ['logon-hours', 'The account {user} may not sign in at this time of day; ask an administrator to change its logon hours.'],
  '531': ['logon-workstation', 'The account {user} may not sign in from this computer; ask an administrator to allow it.'],
  '532': ['password-expired', 'The password of {user} has expired; change it (for example by signing in to Windows once), then try again.'],
  '533': ['account-disabled', 'The account {user} is disabled; ask an administrator to enable it, or use another account.'],
  '701': ['account-expired', 'The account {user} has expired; ask an administrator to extend it.'],
  '773': ['password-must-change', 'The password of {user} must be changed before it can be used; change it, then try again.'],
  '775': ['account-locked', 'The account {user} is locked out after too many wrong passwords; wait for the lockout to end or ask an administrator to unlock it.'],
};

export function bindSubcode(message: string): string | null {
  return /data ([0-9a-f]{3,8})/i.exec(message)?.[1]?.toLowerCase() ?? null;
}

export function explainBindError(e: unknown, user: string): UserError {
  const err = e as { code?: number; message?: string };
  const message = err.message ?? String(e);
  if (err.code === 49) {
    const sub = bindSubcode(message);
    const [code, text] = (sub && BIND_SUBCODES[sub]) || BIND_SUBCODES['52e']!;
    return new UserError(code, text.replaceAll('{user}', user), { field: code === 'bad-credentials' || code === 'password-expired' || code === 'password-must-change' ? 'password' : 'username' });
  }
  if (err.code === 8) return new UserError('strong-auth-required', 'The DC refuses a password without encryption; connect with ldaps:// or let Failguard use StartTLS.', { field: 'url' });
  if (err.code === 53) return new UserError('bind-refused', 'The DC is unwilling to sign this account in; check that the account may use LDAP.', { field: 'username' });
  if (err.code === 34) return new UserError('no-such-user', `"${user}" is not a valid user name or DN; write it as user@domain, DOMAIN\\user or a full DN.`, { field: 'username' });
  return new UserError('directory-error', `The DC refused the sign-in: ${message}.`, { field: 'username' });
}

export interface ConnectFailure {
  host: string;
  port: number;
  presented: CertificateInfo | null;
}

/** Network and TLS errors while reaching a DC. */
export function explainConnectError(e: unknown, f: ConnectFailure): UserError {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err.code ?? '';
  const where = `${f.host}:${f.port}`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = f.presented?.subjectAltNames.join(', ') || f.presented?.subject || 'other names';
    return new UserError('certificate-name-mismatch', `The DC's certificate is for ${names}, not ${f.host}; connect by one of those names.`, { field: 'url', details: f.presented });
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new UserError('certificate-expired', `The certificate of ${f.host} is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'} (valid ${f.presented?.validFrom ?? '?'} to ${f.presented?.validTo ?? '?'}); renew it on the DC or check this computer's clock.`, { field: 'url', details: f.presented });
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|CA_/.test(code) && f.presented) {
    return new UserError('untrusted-certificate', `The certificate of ${f.host} is not from a CA this computer trusts; check its fingerprint and trust it, or add your CA.`, { field: 'ca', details: f.presented });
  }
  if (code === 'ECONNREFUSED') return new UserError('dc-unreachable', `Nothing answers on ${where}; check that this is a DC and that the port is open.`, { field: 'url' });
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new UserError('dc-unreachable', `${f.host} cannot be reached from this computer; check the network path to the DC.`, { field: 'url' });
  if (code === 'ETIMEDOUT' || /timeout/i.test(err.message ?? '')) return new UserError('dc-timeout', `${where} did not answer in time; check that the DC is up and that a firewall does not drop LDAPS.`, { field: 'url' });
  if (code === 'ECONNRESET' || code === 'EPIPE') return new UserError('dc-unreachable', `${where} closed the connection; check that it serves LDAPS on this port.`, { field: 'url' });
  return new UserError('dc-unreachable', `Could not connect to ${where}: ${err.message ?? code}.`, { field: 'url' });
}

export function explainStartTlsError(e: unknown, host: string): UserError {
  return new UserError('starttls-refused', `${host} refused to start TLS on its LDAP port (${(e as Error).message.replace(/ Code: 0x[0-9a-f]+$/, '')}), and Failguard never sends a password unencrypted; enable LDAPS or StartTLS on the DC, or connect with ldaps://.`, { field: 'url' });
}
