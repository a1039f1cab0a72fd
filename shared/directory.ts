/** How the user points Failguard at Active Directory, and what comes back when trust is in question. */

export type DirectoryTarget =
  /** Find DCs through DNS SRV records of the domain; `dnsServer` when the DC is not this machine's resolver. */
  | { kind: 'domain'; domain: string; dnsServer?: string }
  /** `ldaps://host[:port]`, or `ldap://host[:port]` which is upgraded with StartTLS. */
  | { kind: 'url'; url: string; dnsServer?: string };

export interface DirectoryCredentials {
  /** `user@domain`, `DOMAIN\user` or a DN. */
  username: string;
  password: string;
  /** With no password: use the one kept for this saved job (the back end fills it in; the UI never sees it). */
  savedFor?: string;
}

/** Trust the user added: a CA (PEM) and certificates accepted and pinned in the job. */
export interface DirectoryTrust {
  caPem?: string;
  pinned?: PinnedCertificate[];
}

export interface PinnedCertificate {
  /** SHA-256 fingerprint, colon-separated upper-case hex, as Node prints it. */
  fingerprint256: string;
  pem: string;
  subject: string;
}

export interface CertificateInfo {
  host: string;
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  /** The names the certificate is valid for. */
  subjectAltNames: string[];
  selfSigned: boolean;
  /** The certificate to pin if the user trusts it (the top of the chain the DC presented). */
  pin: PinnedCertificate;
  /** Why it is not trusted, in OpenSSL's words (for the record). */
  reason: string;
}

export interface DiscoverRequest {
  operationId: string;
  target: DirectoryTarget;
  credentials: DirectoryCredentials;
  trust?: DirectoryTrust;
}

/** Error codes the directory service gives; the UI decides by code, shows the sentence. */
export type DirectoryErrorCode =
  | 'bad-input' | 'no-dc-found' | 'dc-unreachable' | 'dc-timeout' | 'untrusted-certificate' | 'certificate-name-mismatch'
  | 'certificate-expired' | 'starttls-refused' | 'bad-credentials' | 'no-such-user' | 'account-disabled' | 'account-locked'
  | 'password-expired' | 'password-must-change' | 'account-expired' | 'logon-hours' | 'logon-workstation' | 'bind-refused'
  | 'strong-auth-required' | 'cancelled' | 'directory-error';

/** Plain checks on what the user typed, field by field; empty when fine. */
export function validateDiscoverInput(target: DirectoryTarget, credentials: DirectoryCredentials): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  if (target.kind === 'domain') {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i.test(target.domain.trim())) {
      errors.push({ field: 'domain', message: 'Enter the domain as a DNS name, for example corp.example.com.' });
    }
  } else if (!/^ldaps?:\/\/[^/\s:]+(:\d{1,5})?\/?$/i.test(target.url.trim())) {
    errors.push({ field: 'url', message: 'Enter the DC as ldaps://host or ldap://host (optionally with :port).' });
  }
  if (target.dnsServer !== undefined && target.dnsServer.trim() !== '' && !/^[0-9a-f.:]+$/i.test(target.dnsServer.trim())) {
    errors.push({ field: 'dnsServer', message: 'Enter the DNS server as an IP address, for example 10.0.0.10.' });
  }
  if (!credentials.username.trim()) errors.push({ field: 'username', message: 'Enter a user name: user@domain, DOMAIN\\user or a DN.' });
  if (!credentials.password && !credentials.savedFor) errors.push({ field: 'password', message: 'Enter the password.' });
  return errors;
}
