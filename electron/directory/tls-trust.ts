/**
 * Which certificates Failguard trusts for a DC: the system's CAs, a CA the user added,
 * and certificates the user accepted (pinned in the job). Verification is always on;
 * what is presented is captured before Node's check so the UI can ask about it.
 */
import tls, { type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { CertificateInfo, DirectoryTrust, PinnedCertificate } from '../../shared/directory.ts';

export function trustedCas(trust: DirectoryTrust | undefined): string[] {
  return [...tls.rootCertificates, ...(trust?.caPem ? [trust.caPem] : []), ...(trust?.pinned ?? []).map((p) => p.pem)];
}

export function tlsOptionsFor(host: string, trust: DirectoryTrust | undefined): ConnectionOptions {
  // A pinned certificate that is not a CA (a leaf or an intermediate) is a trust anchor only with partial chains allowed.
  const partial = (trust?.pinned ?? []).some((p) => !isSelfSigned(p.pem));
  return {
    ca: trustedCas(trust),
    servername: isIpAddress(host) ? undefined : host,
    minVersion: 'TLSv1.2',
    ...(partial ? { allowPartialTrustChain: true } : {}),
  };
}

const isIpAddress = (h: string) => /^[0-9.]+$|:/.test(h);

export function isSelfSigned(pem: string): boolean {
  const c = new X509Certificate(pem);
  return c.subject === c.issuer && c.verify(c.publicKey);
}

function toPem(raw: Buffer): string {
  const b64 = raw.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

const dnText = (o: Record<string, string | string[]> | undefined) =>
  Object.entries(o ?? {}).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ');

/** The certificate a DC presented, for the "trust this certificate?" question. */
export function describePresented(host: string, leaf: PeerCertificate, reason: string): CertificateInfo {
  const detailed = leaf as tls.DetailedPeerCertificate;
  let top: tls.DetailedPeerCertificate = detailed;
  while (top.issuerCertificate && top.issuerCertificate !== top && top.issuerCertificate.raw) top = top.issuerCertificate;
  const pin: PinnedCertificate = { fingerprint256: top.fingerprint256, pem: toPem(top.raw), subject: dnText(top.subject as never) };
  return {
    host,
    subject: dnText(leaf.subject as never),
    issuer: dnText(leaf.issuer as never),
    validFrom: new Date(leaf.valid_from).toISOString(),
    validTo: new Date(leaf.valid_to).toISOString(),
    fingerprint256: leaf.fingerprint256,
    subjectAltNames: (leaf.subjectaltname ?? '').split(', ').filter(Boolean).map((s) => s.replace(/^DNS:|^IP Address:/, '')),
    selfSigned: dnText(leaf.subject as never) === dnText(leaf.issuer as never),
    pin,
    reason,
  };
}

/** tls.connect with the presented chain recorded before verification decides (verification stays on). */
export function capturingConnect(onPresented: (cert: PeerCertificate) => void): typeof tls.connect {
  return ((...args: Parameters<typeof tls.connect>) => {
    const socket: TLSSocket = (tls.connect as (...a: unknown[]) => TLSSocket)(...args);
    socket.prependListener('secure', () => onPresented(socket.getPeerCertificate(true)));
    return socket;
  }) as typeof tls.connect;
}
