/**
 * The `dns-record` step: a record set replaced, in an AD-integrated zone over LDAP (exact
 * dnsRecord bytes journaled, put back byte for byte on undo) or on another DNS server by an
 * RFC 2136 update signed with TSIG (the record set as the server served it journaled). Either
 * way it is verified by asking DNS servers as clients would: each listed server must answer
 * with exactly the new values.
 */
import type { PlanStep } from '../../shared/plan.ts';
import { sameRecordValues } from '../../shared/dns-record.ts';
import { StepFailed, type Executor, type PlanContext } from './step-kit.ts';
import { readDnsNode, restoreDnsNode, setDnsRecord, valuesOf, type DnsNodeSnapshot } from '../directory/dns-write.ts';
import { readRRset, replaceRRset } from '../directory/dns-update.ts';
import { fqdnOf } from '../../shared/dns-record.ts';
import type { TsigKey } from '../directory/tsig.ts';

type DnsStep = Extract<PlanStep, { kind: 'dns-record' }>;
type Rfc2136Snapshot = { values: string[]; ttl: number };

function keyOf(step: DnsStep, ctx: PlanContext): TsigKey {
  const s = step.server!;
  const secret = ctx.tsigSecret?.(s.key);
  if (!secret) throw new StepFailed(`the secret of the TSIG key ${s.key} was not given, so ${s.address} cannot be updated; give it with the DNS key secrets (--dns-secrets) and run again`);
  return { name: s.key, algorithm: s.algorithm, secret };
}

/** What each asked server answers, as "server: values" for the evidence. */
async function askEach(step: DnsStep): Promise<{ ok: boolean; seen: string[] }> {
  const fqdn = fqdnOf(step.zone, step.name);
  const seen: string[] = [];
  let ok = true;
  for (const address of step.askServers ?? []) {
    const port = step.server && step.server.address === address ? step.server.port : 53;
    const got = await readRRset({ address, port }, fqdn, step.type).catch(() => null);
    seen.push(`${address}: ${got ? got.values.join(', ') || 'none' : 'no answer'}`);
    if (!got || !sameRecordValues(step.type, got.values, step.values)) ok = false;
  }
  return { ok, seen };
}

export const dnsRecord: Executor<DnsStep> = {
  async snapshot(step, ctx) {
    if (step.server) return readRRset(step.server, fqdnOf(step.zone, step.name), step.type);
    const { client, baseDn } = await ctx.directory();
    return readDnsNode(client, baseDn, step.zone, step.name);
  },
  async apply(step, ctx) {
    if (step.server) {
      await replaceRRset(step.server, keyOf(step, ctx), step.zone, fqdnOf(step.zone, step.name), step.type, step.values, step.ttl ?? 300);
      return `updated on ${step.server.address}`;
    }
    const { client, baseDn } = await ctx.directory();
    await setDnsRecord(client, baseDn, step.zone, step.name, step.type, step.values, step.ttl ?? 900);
    return 'written in the directory';
  },
  async verify(step, ctx) {
    if (!step.server) {
      const { client, baseDn } = await ctx.directory();
      const stored = valuesOf(await readDnsNode(client, baseDn, step.zone, step.name), step.type);
      if (!sameRecordValues(step.type, stored, step.values)) return false;
    } else if (!step.askServers?.includes(step.server.address)) {
      const now = await readRRset(step.server, fqdnOf(step.zone, step.name), step.type);
      if (!sameRecordValues(step.type, now.values, step.values)) return false;
    }
    return (await askEach(step)).ok;
  },
  canUndo: () => true,
  async undo(step, ctx, snapshot) {
    if (step.server) {
      const before = snapshot as Rfc2136Snapshot;
      await replaceRRset(step.server, keyOf(step, ctx), step.zone, fqdnOf(step.zone, step.name), step.type, before.values, before.ttl || step.ttl || 300);
      return 'the records are as they were';
    }
    const { client, baseDn } = await ctx.directory();
    await restoreDnsNode(client, baseDn, step.zone, step.name, snapshot as DnsNodeSnapshot);
    return 'the records are as they were';
  },
};

