/**
 * Everything about a pre-flight request that can be wrong is found here, before any work:
 * a host twice (a source that is also a target), a name that does not resolve, a key file
 * that is not a private key. Host names resolve through the directory's DNS server.
 */
import { isIP } from 'node:net';
import type { HostTarget } from '../../shared/hosts.ts';
import type { PreflightRequest } from '../../shared/preflight.ts';
import { UserError } from '../../shared/errors.ts';
import { resolve4 } from '../directory/dns-client.ts';
import { checkKeyFile } from '../hosts/key-file.ts';

/** The domain host names without a dot belong to, when the request says. */
function domainOf(req: PreflightRequest): string | undefined {
  const t = req.directory?.target;
  return t?.kind === 'domain' ? t.domain : undefined;
}

async function resolveHost(h: HostTarget, field: string, dns: string | undefined, domain: string | undefined): Promise<HostTarget> {
  if (isIP(h.address)) return h;
  const fqdn = h.address.includes('.') || !domain ? h.address : `${h.address}.${domain}`;
  const address = (await resolve4(fqdn, dns).catch(() => [] as string[]))[0];
  if (!address) throw new UserError('bad-input', `${h.name}: the name ${fqdn} does not resolve${dns ? ` through ${dns}` : ''}; give its address, or the DNS server that knows it.`, { field });
  return { ...h, address };
}

export async function prepareRequest<R extends PreflightRequest>(req: R): Promise<R> {
  const dns = req.directory?.target.dnsServer;
  const domain = domainOf(req);
  const roles: Array<[HostTarget, string]> = [[req.source, 'source'], ...req.targets.map((t, i): [HostTarget, string] => [t, `targets[${i}]`]), ...(req.witness ? [[req.witness, 'witness'] as [HostTarget, string]] : [])];
  const seenNames = new Map<string, string>();
  for (const [h, field] of roles) {
    const key = h.name.toLowerCase();
    const other = seenNames.get(key);
    if (other) throw new UserError('bad-input', `${h.name} is both the ${other.replace(/\[\d+\]$/, '')} and a ${field.replace(/\[\d+\]$/, '')}; each server can have one role only.`, { field });
    seenNames.set(key, field);
  }
  for (const [h, field] of roles) if (h.auth.kind === 'key') await checkKeyFile(h.auth, `${field}.auth.keyFile`);
  const resolved = await Promise.all(roles.map(([h, field]) => resolveHost(h, field, dns, domain)));
  const byAddress = new Map<string, string>();
  resolved.forEach((h, i) => {
    const k = `${h.address}:${h.port}`;
    const other = byAddress.get(k);
    if (other) throw new UserError('bad-input', `${h.name} and ${other} are the same server (${h.address}); each server can have one role only.`, { field: roles[i]![1] });
    byAddress.set(k, h.name);
  });
  const [source, ...rest] = resolved;
  return { ...req, source: source!, targets: rest.slice(0, req.targets.length), ...(req.witness ? { witness: rest[req.targets.length]! } : {}) };
}
