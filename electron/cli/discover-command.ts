/** `failguard discover`: the Exchange organisation from Active Directory, as a table or as JSON. */
import { readFile } from 'node:fs/promises';
import type { DirectoryTarget, DirectoryTrust, CertificateInfo } from '../../shared/directory.ts';
import { ROLE_LABELS, mailboxTotal, type Topology } from '../../shared/topology.ts';
import { discover } from '../directory/discover.ts';
import { UserError } from '../../shared/errors.ts';

export interface DirectoryCliOptions {
  domain?: string;
  dns?: string;
  dc?: string;
  user?: string;
  passwordStdin?: boolean;
  ca?: string;
  trust?: string;
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UserError('bad-input', 'Give the password on standard input, for example: echo "$PASSWORD" | failguard discover ... --password-stdin');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The directory options shared by discover, preflight and the later commands. */
export async function directoryRequest(o: DirectoryCliOptions) {
  if (!!o.domain === !!o.dc) throw new UserError('bad-input', 'Give either --domain (found through DNS) or --dc ldaps://host, not both and not neither.');
  if (!o.user) throw new UserError('bad-input', 'Give the account to sign in with: --user user@domain.');
  if (!o.passwordStdin) throw new UserError('bad-input', 'Give the password on standard input with --password-stdin (it is never taken from the command line).');
  const password = await readStdin();
  const target: DirectoryTarget = o.domain ? { kind: 'domain', domain: o.domain, ...(o.dns ? { dnsServer: o.dns } : {}) } : { kind: 'url', url: o.dc!, ...(o.dns ? { dnsServer: o.dns } : {}) };
  let caPem: string | undefined;
  if (o.ca) {
    caPem = await readFile(o.ca, 'utf8').catch(() => {
      throw new UserError('bad-input', `The CA file ${o.ca} cannot be read; check the path.`);
    });
    if (!caPem.includes('BEGIN CERTIFICATE')) throw new UserError('bad-input', `${o.ca} is not a PEM certificate; give the CA certificate in PEM form.`);
  }
  const trust: DirectoryTrust = caPem ? { caPem } : {};
  return { target, credentials: { username: o.user, password }, trust };
}

/** Runs discovery; an untrusted certificate is accepted only when --trust names its fingerprint. */
export async function discoverWithTrust(o: DirectoryCliOptions): Promise<Topology> {
  const req = await directoryRequest(o);
  try {
    return await discover(req);
  } catch (e) {
    if (!(e instanceof UserError) || e.code !== 'untrusted-certificate') throw e;
    const cert = e.details as CertificateInfo;
    const wanted = o.trust?.replace(/^sha256:/i, '').replace(/:/g, '').toUpperCase();
    const matches = wanted && [cert.fingerprint256, cert.pin.fingerprint256].some((f) => f.replace(/:/g, '') === wanted);
    if (!matches) {
      throw new UserError('untrusted-certificate', `${e.message} Certificate: ${cert.subject}, issued by ${cert.issuer}, SHA-256 ${cert.fingerprint256}; to trust it, add --trust ${cert.fingerprint256} or --ca <file>.`);
    }
    return discover({ ...req, trust: { ...req.trust, pinned: [cert.pin] } });
  }
}

export function topologyTable(t: Topology): string {
  if (!t.organisation) return `No Exchange organisation was found in ${t.directory.dnsDomain} (DC ${t.directory.dcHost}).\n`;
  const rows = t.servers.map((s) => {
    const dbs = t.databases.filter((d) => d.server === s.name);
    return [s.name, `${s.version.product} (${s.version.major}.${s.version.minor}.${s.version.build})`, s.roles.map((r) => ROLE_LABELS[r]).join(', ') || '-',
      String(dbs.length), String(mailboxTotal(t, s.name)), s.dag ?? ''];
  });
  const head = ['Server', 'Version', 'Roles', 'Databases', 'Mailboxes', 'DAG'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [`Organisation ${t.organisation.name} (DC ${t.directory.dcHost}): ${t.servers.length} servers, ${t.databases.length} databases, ${mailboxTotal(t)} mailboxes`,
    line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
