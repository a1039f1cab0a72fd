/**
 * Finding domain controllers: DNS SRV records of the domain (RFC 2782 order: lowest
 * priority first, then heaviest weight), through a chosen DNS server when the DC is not
 * this machine's resolver; or one DC named by URL.
 */
import { isIP } from 'node:net';
import { DnsError, resolve4, resolveSrv, type SrvRecord } from './dns-client.ts';
import type { DirectoryTarget } from '../../shared/directory.ts';
import { UserError } from '../../shared/errors.ts';

export interface DcEndpoint {
  /** The name the certificate must carry. */
  host: string;
  /** Where to connect (an IP address when the name was resolved through a chosen DNS server). */
  address: string;
  port: number;
  /** 'ldaps': TLS from the first byte; 'starttls': LDAP upgraded before anything is sent. */
  security: 'ldaps' | 'starttls';
}

export async function resolveAddress(host: string, dnsServer: string | undefined): Promise<string> {
  if (isIP(host)) return host;
  try {
    const [first] = await resolve4(host, dnsServer);
    if (first) return first;
  } catch {
    /* explained below */
  }
  throw new UserError('no-dc-found', `The name ${host} could not be resolved${dnsServer ? ` by the DNS server ${dnsServer}` : ''}; check the name, or give the DNS server that knows the domain.`, { field: 'url' });
}

export async function locateDcs(target: DirectoryTarget): Promise<DcEndpoint[]> {
  const dnsServer = target.dnsServer?.trim() || undefined;
  if (target.kind === 'url') {
    const u = new URL(target.url.trim());
    const security = u.protocol === 'ldaps:' ? 'ldaps' : 'starttls';
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return [{ host, address: await resolveAddress(host, dnsServer), port: u.port ? Number(u.port) : security === 'ldaps' ? 636 : 389, security }];
  }
  const domain = target.domain.trim().toLowerCase().replace(/\.$/, '');
  const name = `_ldap._tcp.dc._msdcs.${domain}`;
  let records: SrvRecord[];
  try {
    records = await resolveSrv(name, dnsServer);
  } catch (e) {
    const code = e instanceof DnsError ? e.code : (e as NodeJS.ErrnoException).code;
    const why = code === 'TIMEOUT' || code === 'ECONNREFUSED' || code === 'REFUSED' || code === 'SERVFAIL' ? `the DNS server${dnsServer ? ` ${dnsServer}` : ''} did not answer` : `DNS has no ${name} record`;
    throw new UserError('no-dc-found', `No domain controller for ${domain} was found: ${why}. Check the domain name and the DNS server, or connect to a DC by its address.`, { field: 'domain' });
  }
  if (records.length === 0) throw new UserError('no-dc-found', `DNS lists no domain controller for ${domain}; connect to a DC by its address instead.`, { field: 'domain' });
  const ordered = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight || a.name.localeCompare(b.name));
  const out: DcEndpoint[] = [];
  for (const r of ordered) {
    const host = r.name.replace(/\.$/, '');
    // SRV names the LDAP port; Failguard never sends a password before TLS, so it uses LDAPS on 636.
    const address = await resolveAddress(host, dnsServer).catch(() => null);
    if (address) out.push({ host, address, port: 636, security: 'ldaps' });
  }
  if (out.length === 0) throw new UserError('no-dc-found', `DNS lists domain controllers for ${domain} but none of their names resolves; check the DNS server.`, { field: 'domain' });
  return out;
}
