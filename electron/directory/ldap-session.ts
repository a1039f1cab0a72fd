/**
 * An authenticated LDAP session over TLS with the first DC that answers. A DC that cannot
 * be reached is skipped for the next one; a certificate or credential problem stops at
 * once (another DC would only repeat it, and more wrong passwords lock accounts out).
 */
import { Client } from 'ldapts';
import type { PeerCertificate } from 'node:tls';
import type { DirectoryCredentials, DirectoryTarget, DirectoryTrust } from '../../shared/directory.ts';
import { UserError } from '../../shared/errors.ts';
import { locateDcs, type DcEndpoint } from './dc-locator.ts';
import { capturingConnect, describePresented, tlsOptionsFor } from './tls-trust.ts';
import { explainBindError, explainConnectError, explainStartTlsError } from './ldap-errors.ts';

export interface LdapSession {
  client: Client;
  dc: DcEndpoint;
  close(): Promise<void>;
}

export interface SessionOptions {
  target: DirectoryTarget;
  credentials: DirectoryCredentials;
  trust?: DirectoryTrust;
  signal?: AbortSignal;
  timeoutMs?: number;
  onStage?: (stage: string) => void;
}

const NETWORK_CODES = new Set(['dc-unreachable', 'dc-timeout']);

/** `DOMAIN\user` and `user@domain` are accepted by AD's simple bind as they are; a DN is used as given. */
export function bindName(username: string): string {
  return username.trim();
}

async function openOne(dc: DcEndpoint, o: SessionOptions): Promise<LdapSession> {
  let presented: PeerCertificate | null = null;
  const tlsOptions = tlsOptionsFor(dc.host, o.trust);
  const timeout = o.timeoutMs ?? 8000;
  const client = new Client({
    url: `${dc.security === 'ldaps' ? 'ldaps' : 'ldap'}://${dc.address}:${dc.port}`,
    timeout,
    connectTimeout: timeout,
    // ldapts treats any tlsOptions as "TLS from the first byte", so StartTLS gets them only at upgrade time.
    ...(dc.security === 'ldaps' ? { tlsOptions } : {}),
    createSecureConnection: capturingConnect((c) => (presented = c)),
  });
  const fail = (e: unknown) => {
    void client.unbind().catch(() => undefined);
    const cert = presented && (presented as PeerCertificate).raw ? describePresented(dc.host, presented, (e as NodeJS.ErrnoException).code ?? String(e)) : null;
    return explainConnectError(e, { host: dc.host, port: dc.port, presented: cert });
  };
  if (dc.security === 'starttls') {
    try {
      await client.startTLS({ ...tlsOptions, host: dc.address } as never);
    } catch (e) {
      // A refused StartTLS is an LDAP result; anything else is network or certificate trouble.
      if (typeof (e as { code?: unknown }).code === 'number') {
        void client.unbind().catch(() => undefined);
        throw explainStartTlsError(e, dc.host);
      }
      throw fail(e);
    }
  }
  o.onStage?.(`Signing in to ${dc.host}`);
  try {
    await client.bind(bindName(o.credentials.username), o.credentials.password);
  } catch (e) {
    if (typeof (e as { code?: unknown }).code === 'number') {
      void client.unbind().catch(() => undefined);
      throw explainBindError(e, o.credentials.username.trim());
    }
    throw fail(e);
  }
  return { client, dc, close: () => client.unbind().catch(() => undefined) };
}

export async function openSession(o: SessionOptions): Promise<LdapSession> {
  o.onStage?.('Finding a domain controller');
  const dcs = await locateDcs(o.target);
  let last: UserError | undefined;
  for (const dc of dcs) {
    if (o.signal?.aborted) throw new UserError('cancelled', 'The discovery was cancelled.');
    o.onStage?.(`Connecting to ${dc.host} (${dc.security === 'ldaps' ? 'LDAPS' : 'LDAP with StartTLS'}, port ${dc.port})`);
    try {
      return await openOne(dc, o);
    } catch (e) {
      if (!(e instanceof UserError) || !NETWORK_CODES.has(e.code)) throw e;
      last = e;
    }
  }
  if (dcs.length > 1 && last) throw new UserError(last.code, `None of the ${dcs.length} domain controllers answered; the last said: ${last.message}`, { field: last.field });
  throw last ?? new UserError('no-dc-found', 'No domain controller was found.');
}
