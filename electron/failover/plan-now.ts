/** The failover plan of now: the job, the Exchange organisation and the DNS records as the directory has them at this moment. */
import type { Job, JobTarget } from '../../shared/job.ts';
import type { DirectoryCredentials, DirectoryTarget, DirectoryTrust } from '../../shared/directory.ts';
import type { Plan } from '../../shared/plan.ts';
import { UserError } from '../../shared/errors.ts';
import { discover } from '../directory/discover.ts';
import { openSession } from '../directory/ldap-session.ts';
import { readRootDse } from '../directory/exchange-reader.ts';
import { decodeDnsRecord, readDnsNode } from '../directory/dns-write.ts';
import { failoverPlan, type DnsNow } from './plan.ts';
import { failbackConfigs, failbackPlan } from './failback.ts';

export interface DirectoryAccess { target: DirectoryTarget; credentials: DirectoryCredentials; trust?: DirectoryTrust }

export function chooseTarget(job: Job, name?: string): JobTarget {
  if (!name) {
    if (job.targets.length === 1) return job.targets[0]!;
    throw new UserError('bad-input', `This job has ${job.targets.length} targets; say which one takes over with --target (${job.targets.map((t) => t.name).join(', ')}).`, { field: 'target' });
  }
  const t = job.targets.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!t) throw new UserError('bad-input', `${name} is not a target of this job; the targets are ${job.targets.map((x) => x.name).join(', ')}.`, { field: 'target' });
  return t;
}

/** What the chosen records hold now, as the plan shows them. */
async function dnsNow(job: Job, dir: DirectoryAccess): Promise<DnsNow[]> {
  if (!job.failover.dns.length) return [];
  const s = await openSession(dir);
  try {
    const base = (await readRootDse(s.client)).defaultNamingContext;
    return await Promise.all(job.failover.dns.map(async (r) => {
      const node = await readDnsNode(s.client, base, r.zone, r.name);
      return { zone: r.zone, name: r.name, values: node.records.map((b) => decodeDnsRecord(Buffer.from(b, 'base64'))).filter((x) => x.type === 1).map((x) => `A ${x.value}`) };
    }));
  } finally {
    await s.close();
  }
}

export async function planFailover(job: Job, dir: DirectoryAccess, targetName?: string, o: { signal?: AbortSignal; onProgress?: (stage: string) => void; planned?: boolean } = {}): Promise<Plan> {
  const target = chooseTarget(job, targetName);
  o.onProgress?.('Reading the Exchange organisation and the DNS records from the directory');
  const [topo, dns] = await Promise.all([discover(dir, o.signal ? { signal: o.signal } : {}), dnsNow(job, dir)]);
  return failoverPlan(job, topo, target, dns, !!o.planned);
}


/** The failback plan of now: the same facts, and the agent configurations of both directions prepared in the job's folder. */
export async function planFailback(job: Job, dir: DirectoryAccess, base: string, targetName?: string, o: { signal?: AbortSignal; onProgress?: (stage: string) => void } = {}): Promise<Plan> {
  const target = chooseTarget(job, targetName);
  o.onProgress?.('Reading the Exchange organisation and the DNS records from the directory');
  const [topo, dns, files] = await Promise.all([discover(dir, o.signal ? { signal: o.signal } : {}), dnsNow(job, dir), failbackConfigs(job, target, base)]);
  return failbackPlan(job, topo, target, dns, files);
}
