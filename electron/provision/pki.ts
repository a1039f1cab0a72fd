/**
 * The job's own PKI: one CA per job, and a certificate per agent naming its host (CN), its
 * job (O) and its addresses (SAN). Agents accept only peers signed by their job's CA whose
 * certificate names the job. ECDSA P-256, made with @peculiar/x509 on Node's WebCrypto.
 * Certificates are kept in the app's data folder; private keys only in the encrypted store
 * (job-keys.ts), never in a file here, a job file, a plan or a journal.
 */
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { JobKeys } from '../jobs/job-keys.ts';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { hostFileName } from './host-file-name.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type KeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const YEARS = (n: number) => new Date(Date.now() + n * 365 * 24 * 3600 * 1000);

export interface Issued { certPem: string; keyPem: string; fingerprint256: string }

const keyPem = async (k: webcrypto.CryptoKey) => x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', k), 'PRIVATE KEY');
export const fingerprintOf = (pem: string) => new NodeX509(pem).fingerprint256;

export async function createCa(jobId: string): Promise<Issued> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as KeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=Failguard job CA, O=${jobId}`, notBefore: new Date(Date.now() - 3600_000), notAfter: YEARS(20), signingAlgorithm: ALG, keys: keys as never,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const certPem = cert.toString('pem');
  return { certPem, keyPem: await keyPem(keys.privateKey), fingerprint256: fingerprintOf(certPem) };
}

export async function issueAgentCertificate(ca: Issued, o: { jobId: string; host: string; addresses: string[] }): Promise<Issued> {
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decode(ca.keyPem)[0]!, ALG, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as KeyPair;
  const caCert = new x509.X509Certificate(ca.certPem);
  const cert = await x509.X509CertificateGenerator.create({
    // Built from its parts, not from text: a name can never add an RDN (a second O=, say).
    subject: [{ CN: [o.host] }, { O: [o.jobId] }], issuer: caCert.subject, notBefore: new Date(Date.now() - 3600_000), notAfter: YEARS(10),
    signingAlgorithm: ALG, publicKey: keys.publicKey as never, signingKey: caKey as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([...new Set(o.addresses)].map((value) => ({ type: 'ip' as const, value }))),
    ],
  });
  const certPem = cert.toString('pem');
  return { certPem, keyPem: await keyPem(keys.privateKey), fingerprint256: fingerprintOf(certPem) };
}

/** Where a job's PKI lives on this computer: certificates in `<data>/jobs/<id>/pki` (0700), their keys in the job's keys (`pki/<name>.key`). */
export async function jobPki(dir: string, keys: JobKeys, hosts: Array<{ name: string; addresses: string[] }>): Promise<{ ca: Issued; agents: Record<string, Issued & { certFile: string }>; caFile: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const load = async (name: string): Promise<Issued | null> => {
    const certPem = await readFile(join(dir, `${name}.pem`), 'utf8').catch(() => null);
    const key = keys.get(`pki/${name}.key`);
    return certPem && key ? { certPem, keyPem: key, fingerprint256: fingerprintOf(certPem) } : null;
  };
  const save = async (name: string, i: Issued) => {
    // The key first: a certificate on disk always has its key kept.
    await keys.set(`pki/${name}.key`, i.keyPem);
    await writeFile(join(dir, `${name}.pem`), i.certPem, { mode: 0o644 });
  };
  let ca = await load('ca');
  if (!ca) await save('ca', (ca = await createCa(keys.jobId)));
  const agents: Record<string, Issued & { certFile: string }> = {};
  for (const h of hosts) {
    const file = `agent-${hostFileName(h.name)}`;
    let a = await load(file);
    // A certificate is issued again only when the host's addresses changed (a new path), never on every run.
    const sans = a ? new x509.X509Certificate(a.certPem).getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON().map((n) => n.value).sort() : null;
    if (!a || JSON.stringify(sans) !== JSON.stringify([...new Set(h.addresses)].sort())) await save(file, (a = await issueAgentCertificate(ca, { jobId: keys.jobId, host: h.name, addresses: h.addresses })));
    agents[h.name] = { ...a, certFile: join(dir, `${file}.pem`) };
  }
  return { ca, agents, caFile: join(dir, 'ca.pem') };
}
