/**
 * Probing step 3's DNS choices, apart from judging: each record as its server has it now;
 * for AD-integrated ones whether the account may write it (the directory's own answer,
 * allowedAttributesEffective, or allowedChildClassesEffective on the zone when the name does
 * not exist yet); for the others a signed update that changes nothing, to see the key accepted.
 */
import type { PreflightRequest } from '../../shared/preflight.ts';
import type { Probed } from '../../shared/probe.ts';
import type { JobDnsRecord } from '../../shared/job.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';
import { openSession } from '../directory/ldap-session.ts';
import { readRootDse } from '../directory/exchange-reader.ts';
import { nodeDn, readDnsNode, ttlOf, valuesOf } from '../directory/dns-write.ts';
import { probeUpdate, readRRset } from '../directory/dns-update.ts';
import { fqdnOf } from '../../shared/dns-record.ts';
import type { DnsChoiceFacts } from './facts.ts';

const failed = <T>(command: string, e: unknown): Probed<T> => ({ ok: false, error: plainMessage(e), command, raw: '' });
const shown = (r: JobDnsRecord) => `${fqdnOf(r.zone, r.name)} ${r.type}`;

async function elsewhere(r: JobDnsRecord, secrets: Record<string, string> | undefined): Promise<DnsChoiceFacts> {
  const server = r.server!;
  const command = `DNS ${shown(r)} at ${server.address}`;
  let values: Probed<string[]>;
  let ttl: number | null = null;
  try {
    const now = await readRRset(server, fqdnOf(r.zone, r.name), r.type);
    values = { ok: true, value: now.values, command, raw: now.values.join(', ') };
    ttl = now.values.length ? now.ttl : null;
  } catch (e) {
    values = failed(command, e);
  }
  const secret = secrets?.[server.key];
  if (!secret) return { record: r, values, ttl, writable: null, keyTest: null };
  const test = `a signed update that changes nothing (key ${server.key})`;
  const keyTest = await probeUpdate(server, { name: server.key, algorithm: server.algorithm, secret }, r.zone, fqdnOf(r.zone, r.name), r.type).then(
    (): Probed<{ accepted: boolean; answer: string }> => ({ ok: true, value: { accepted: true, answer: 'NOERROR' }, command: test, raw: 'NOERROR' }),
    // A refusal is the answer to the question (judged by the rule); only no answer at all is a failed probe.
    (e): Probed<{ accepted: boolean; answer: string }> => (e instanceof UserError && e.code === 'dns-update' ? { ok: true, value: { accepted: false, answer: plainMessage(e) }, command: test, raw: 'refused' } : failed(test, e)),
  );
  return { record: r, values, ttl, writable: null, keyTest };
}

/** Each chosen record's facts, in the job's order. */
export async function gatherDnsChoices(req: PreflightRequest): Promise<DnsChoiceFacts[]> {
  const records = req.choices?.dns ?? [];
  const got = await gatherUnordered(req, records);
  return records.flatMap((r) => got.filter((g) => g.record === r));
}

async function gatherUnordered(req: PreflightRequest, records: JobDnsRecord[]): Promise<DnsChoiceFacts[]> {
  const ad = records.filter((r) => !r.server);
  const out = await Promise.all(records.filter((r) => r.server).map((r) => elsewhere(r, req.tsigSecrets)));
  if (!ad.length) return out;
  // Without the directory account AD's records cannot be read here; they are checked where it is given.
  if (!req.directory) return out;
  let session;
  try {
    session = await openSession(req.directory);
  } catch (e) {
    return [...ad.map((r) => ({ record: r, values: failed<string[]>(`LDAP ${shown(r)}`, e), ttl: null, writable: failed<boolean>('LDAP', e), keyTest: null })), ...out];
  }
  try {
    const base = (await readRootDse(session.client)).defaultNamingContext;
    for (const r of ad) {
      const command = `LDAP dnsNode ${nodeDn(r.zone, r.name, base)}`;
      try {
        const node = await readDnsNode(session.client, base, r.zone, r.name);
        const dn = node.exists ? nodeDn(r.zone, r.name, base) : nodeDn(r.zone, r.name, base).replace(/^DC=[^,]+,/, '');
        const attr = node.exists ? 'allowedAttributesEffective' : 'allowedChildClassesEffective';
        const { searchEntries } = await session.client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [attr] });
        const allowed = ([] as unknown[]).concat(searchEntries[0]?.[attr] ?? []).map((x) => String(x).toLowerCase());
        const ttl = ttlOf(node, r.type);
        out.push({ record: r, values: { ok: true, value: valuesOf(node, r.type), command, raw: node.records.length ? `${node.records.length} dnsRecord value(s)` : 'no such name' }, ttl,
          writable: { ok: true, value: allowed.includes(node.exists ? 'dnsrecord' : 'dnsnode'), command: `LDAP ${attr} of ${dn}`, raw: allowed.join(' ').slice(0, 200) }, keyTest: null });
      } catch (e) {
        out.push({ record: r, values: failed(command, e), ttl: null, writable: failed('LDAP', e), keyTest: null });
      }
    }
  } finally {
    await session.close();
  }
  return out;
}
