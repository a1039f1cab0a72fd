/**
 * The DNS steps of failover and failback: each record the job names, pointed at the server
 * that serves from now on. What is not about the server (an MX's preference, an SRV's
 * priority, weight and port) is kept from the record as it is now. AD-integrated records are
 * written over LDAP and asked back from the DC; others are RFC 2136 updates to their server,
 * asked back from it.
 */
import type { Job, JobDnsRecord } from '../../shared/job.ts';
import type { PlanStep } from '../../shared/plan.ts';
import type { Topology } from '../../shared/topology.ts';
import { UserError } from '../../shared/errors.ts';
import { pointedAt, sameRecordValues, type RecordHost } from '../../shared/dns-record.ts';

/**
 * The step that sets a chosen record to `values`: by RFC 2136 on its own server, else over LDAP in
 * AD; asked back from that server, or from `adDnsServers` for AD's records.
 */
export function recordStep(r: JobDnsRecord, values: string[], previous: string[], description: string, adDnsServers: string[]): PlanStep {
  return {
    kind: 'dns-record', description, ...(r.server ? { server: r.server } : {}), zone: r.zone, name: r.name, type: r.type, values, ttl: r.ttl, previous,
    askServers: r.server ? [r.server.address] : adDnsServers,
  };
}

/** A chosen record set as it is when the plan is made. */
export interface DnsNow { zone: string; name: string; type: string; values: string[]; ttl: number }

const shown = (zone: string, name: string) => (name === '@' ? zone : `${name}.${zone}`);

/** The server as records point at it: its addresses from the job, its DNS name from the directory. */
export function recordHost(topo: Topology, host: { name: string; address: string; ipv6?: string | undefined }): RecordHost {
  const s = topo.servers.find((x) => x.name.toLowerCase() === host.name.toLowerCase());
  const fqdn = s?.fqdn ?? (topo.directory?.dnsDomain ? `${host.name.toLowerCase()}.${topo.directory.dnsDomain}` : host.name.toLowerCase());
  return { name: host.name, address: host.address, ...(host.ipv6 ? { ipv6: host.ipv6 } : {}), fqdn };
}

/**
 * One step per chosen record that changes: the record set pointed at `to` instead of `from`.
 * `adDnsServers`: the DC addresses asked after an AD-integrated write (the one written to
 * first; other DCs follow by AD replication).
 */
export function dnsSteps(job: Job, now: DnsNow[], from: RecordHost, to: RecordHost, adDnsServers: string[], back = false): PlanStep[] {
  return job.failover.dns.flatMap((r): PlanStep[] => {
    const seen = now.find((d) => d.zone === r.zone && d.name === r.name && d.type === r.type);
    const previous = seen?.values ?? [];
    const v = pointedAt(r.type, from, to, previous);
    if (typeof v === 'string') throw new UserError('bad-input', `${shown(r.zone, r.name)} ${r.type}: ${v}`, { field: 'failover.dns' });
    // A record that does not name the server (an MX at an alias that moves with its own A record) stays as it is.
    if (previous.length && sameRecordValues(r.type, previous, v.values)) return [];
    return [recordStep(r, v.values, previous, `point ${shown(r.zone, r.name)} (${r.type}) ${back ? 'back ' : ''}at ${to.name}`, adDnsServers)];
  });
}
