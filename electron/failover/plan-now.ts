/** The failover plan of now: the job, the Exchange organisation and the DNS records as the directory has them at this moment. */
import type { Job, JobTarget } from '../../shared/job.ts';
import type { DirectoryCredentials, DirectoryTarget, DirectoryTrust } from '../../shared/directory.ts';
import type { Plan } from '../../shared/plan.ts';
import { UserError } from '../../shared/errors.ts';
import { discover } from '../directory/discover.ts';
import { openSession } from '../directory/ldap-session.ts';
import { readRootDse } from '../directory/exchange-reader.ts';
import { readDnsNode, ttlOf, valuesOf } from '../directory/dns-write.ts';
import { readRRset } from '../directory/dns-update.ts';
import { fqdnOf } from '../../shared/dns-record.ts';
import { locateDcs } from '../directory/dc-locator.ts';
import { failoverPlan } from './plan.ts';
import type { DnsNow } from './dns-steps.ts';
import { failbackConfigs, failbackPlan } from './failback.ts';

export interface DirectoryAccess { target: DirectoryTarget; credentials: DirectoryCredentials; trust?: DirectoryTrust }
/** TSIG key name → base64 secret, for records the job keeps on DNS servers outside AD. */
export type TsigSecrets = Record<string, string>;

export function chooseTarget(job: Job, name?: string): JobTarget {
  if (!name) {
    if (job.targets.length === 1) return job.targets[0]!;
    throw new UserError('bad-input', `This job has ${job.targets.length} targets; say which one takes over with --target (${job.targets.map((t) => t.name).join(', ')}).`, { field: 'target' });
  }
  const t = job.targets.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!t) throw new UserError('bad-input', `${name} is not a target of this job; the targets are ${job.targets.map((x) => x.name).join(', ')}.`, { field: 'target' });
  return t;
}

/** What the chosen records hold now: AD-integrated ones from the directory, others asked from their server. */
async function dnsNow(job: Job, dir: DirectoryAccess): Promise<DnsNow[]> {
  const ad = job.failover.dns.filter((r) => !r.server);
  const other = job.failover.dns.filter((r) => r.server);
  const fromServers = Promise.all(other.map(async (r) => ({ zone: r.zone, name: r.name, type: r.type, ...(await readRRset(r.server!, fqdnOf(r.zone, r.name), r.type)) })));
  if (!ad.length) return fromServers;
  const s = await openSession(dir);
  try {
    const base = (await readRootDse(s.client)).defaultNamingContext;
    const fromAd = await Promise.all(ad.map(async (r) => {
      const node = await readDnsNode(s.client, base, r.zone, r.name);
      const ttl = ttlOf(node, r.type) ?? 0;
      return { zone: r.zone, name: r.name, type: r.type, values: valuesOf(node, r.type), ttl };
    }));
    return [...fromAd, ...(await fromServers)];
  } finally {
    await s.close();
  }
}

/** The DC asked after an AD-integrated record is written: the first one found, the one the plan's writes go to. */
async function adDnsServers(job: Job, dir: DirectoryAccess): Promise<string[]> {
  if (!job.failover.dns.some((r) => !r.server)) return [];
  const [first] = await locateDcs(dir.target);
  return first ? [first.address] : [];
}

/** `point`: a point-in-time failover's point (chosen with points.ts), else the newest. */
export async function planFailover(job: Job, dir: DirectoryAccess, targetName?: string, o: { signal?: AbortSignal; onProgress?: (stage: string) => void; planned?: boolean; point?: string | null } = {}): Promise<Plan> {
  const target = chooseTarget(job, targetName);
  o.onProgress?.('Reading the Exchange organisation and the DNS records from the directory');
  const [topo, dns, ask] = await Promise.all([discover(dir, o.signal ? { signal: o.signal } : {}), dnsNow(job, dir), adDnsServers(job, dir)]);
  return failoverPlan(job, topo, target, dns, !!o.planned, ask, o.point ?? null);
}


/** The failback plan of now: the same facts, and the agent configurations of both directions prepared in the job's folder. */
export async function planFailback(job: Job, dir: DirectoryAccess, base: string, targetName?: string, o: { signal?: AbortSignal; onProgress?: (stage: string) => void } = {}): Promise<Plan> {
  const target = chooseTarget(job, targetName);
  o.onProgress?.('Reading the Exchange organisation and the DNS records from the directory');
  const [topo, dns, files, ask] = await Promise.all([discover(dir, o.signal ? { signal: o.signal } : {}), dnsNow(job, dir), failbackConfigs(job, target, base), adDnsServers(job, dir)]);
  return failbackPlan(job, topo, target, dns, files, ask);
}

/** Every TSIG key the plan's DNS updates are signed with must have its secret before anything runs. */
export function requireTsigSecrets(plan: Plan, secrets: Record<string, string> | undefined): void {
  const keys = [...new Set(plan.steps.flatMap((s) => (s.kind === 'dns-record' && s.server ? [s.server.key] : [])))];
  const missing = keys.filter((k) => !secrets?.[k]);
  if (missing.length) throw new UserError('bad-input', `This plan updates DNS records signed with the TSIG key${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, whose secret was not given; give a JSON file of key name → base64 secret with --dns-secrets. Nothing was changed.`, { field: 'dnsSecrets' });
}
