/** How Failguard reaches a server over SSH, and the host keys it has pinned. */

export type SshAuth =
  | { kind: 'key'; keyFile: string; passphrase?: string }
  | { kind: 'agent'; socket?: string }
  | { kind: 'password'; password: string };

export interface HostTarget {
  /** The name the user knows the server by (MAIL1, mail1.lab.test). */
  name: string;
  address: string;
  port: number;
  user: string;
  auth: SshAuth;
}

/** A host key Failguard has seen and the user accepted: kept in the job, checked on every connection. */
export interface HostKeyPin {
  host: string;
  port: number;
  algorithm: string;
  /** `SHA256:` + unpadded base64, as OpenSSH prints it. */
  fingerprint: string;
}

export type HostErrorCode =
  | 'host-unreachable' | 'host-refused' | 'host-timeout' | 'host-auth-failed' | 'host-key-unknown' | 'host-key-changed'
  | 'host-command-timeout' | 'host-cancelled' | 'host-error';
