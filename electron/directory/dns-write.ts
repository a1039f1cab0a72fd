/**
 * Writing records into an AD-integrated zone over LDAP: dnsNode objects under
 * DC=<zone>,CN=MicrosoftDNS,DC=DomainDnsZones; each record is one binary dnsRecord value
 * (MS-DNSP 2.3.2.2, layout in ../shared/docs/exchange-ad.md §6). The DC serves it at once.
 */
import { dnOf } from '../../shared/dn.ts';
import { Attribute, Change, type Client } from 'ldapts';
import { formatRecordValue, parseRecordValue, type DnsRecordType, type RecordValue } from '../../shared/dns-record.ts';

const TYPE: Record<DnsRecordType, number> = { A: 1, CNAME: 5, PTR: 12, MX: 15, AAAA: 28, SRV: 33 };

function countName(fqdn: string): Buffer {
  const labels = fqdn.replace(/\.$/, '').split('.');
  const body = Buffer.concat(labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])));
  return Buffer.concat([Buffer.from([body.length + 1, labels.length]), body, Buffer.from([0])]);
}

function readCountName(data: Buffer, at: number): string | null {
  if (data.length < at + 2) return null;
  const labels: string[] = [];
  let pos = at + 2;
  for (let i = 0; i < data[at + 1]!; i++) {
    const len = data[pos];
    if (len === undefined || pos + 1 + len > data.length) return null;
    labels.push(data.subarray(pos + 1, pos + 1 + len).toString('ascii'));
    pos += len + 1;
  }
  return labels.join('.').toLowerCase();
}

const u16be = (...n: number[]) => {
  const b = Buffer.alloc(2 * n.length);
  n.forEach((x, i) => b.writeUInt16BE(x, 2 * i));
  return b;
};

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.includes('::') ? address.split('::') as [string, string] : [address, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return u16be(...groups.map((g) => parseInt(g, 16)));
}

function dataOf(v: RecordValue): Buffer {
  switch (v.type) {
    case 'A': return Buffer.from(v.address.split('.').map(Number));
    case 'AAAA': return ipv6Bytes(v.address);
    case 'CNAME': case 'PTR': return countName(v.target);
    case 'MX': return Buffer.concat([u16be(v.preference), countName(v.exchange)]);
    case 'SRV': return Buffer.concat([u16be(v.priority, v.weight, v.port), countName(v.target)]);
  }
}

export function encodeDnsRecord(type: DnsRecordType, value: string, ttl = 900, serial = 1): Buffer {
  const parsed = parseRecordValue(type, value);
  if (typeof parsed === 'string') throw new Error(parsed);
  const data = dataOf(parsed);
  const head = Buffer.alloc(24);
  head.writeUInt16LE(data.length, 0);
  head.writeUInt16LE(TYPE[type], 2);
  head.writeUInt8(5, 4); // version
  head.writeUInt8(0xf0, 5); // rank: zone data
  head.writeUInt16LE(0, 6);
  head.writeUInt32LE(serial, 8);
  head.writeUInt32BE(ttl, 12);
  head.writeUInt32LE(0, 16);
  head.writeUInt32LE(0, 20); // static record
  return Buffer.concat([head, data]);
}

export const recordType = (v: Buffer): number => v.readUInt16LE(2);

export function nodeDn(zone: string, name: string, baseDn: string): string {
  return dnOf([['DC', name], ['DC', zone]], `CN=MicrosoftDNS,DC=DomainDnsZones,${baseDn}`);
}

/** Replaces every record of `type` at `name` in `zone` with records holding `value` (one or several; none removes them). */
export async function setDnsRecord(client: Client, baseDn: string, zone: string, name: string, type: DnsRecordType, value: string | string[], ttl = 900): Promise<void> {
  const dn = nodeDn(zone, name, baseDn);
  let existing: Buffer[] | null = null;
  try {
    const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=dnsNode)', attributes: ['dnsRecord', 'dNSTombstoned'], explicitBufferAttributes: ['dnsRecord'] });
    existing = ([] as Buffer[]).concat((searchEntries[0]?.dnsRecord as Buffer[] | Buffer | undefined) ?? []);
  } catch (e) {
    if ((e as { code?: number }).code !== 32) throw e;
  }
  const serial = existing?.[0] && existing[0].length >= 12 ? existing[0].readUInt32LE(8) : 1;
  const records = ([] as string[]).concat(value).map((v) => encodeDnsRecord(type, v, ttl, serial));
  if (existing === null) {
    if (records.length) await client.add(dn, [new Attribute({ type: 'objectClass', values: ['top', 'dnsNode'] }), new Attribute({ type: 'dnsRecord', values: records })]);
    return;
  }
  // Keep records of other types (a tombstone's type-0 record goes with the revival).
  const keep = existing.filter((v) => recordType(v) !== TYPE[type] && recordType(v) !== 0);
  if (keep.length + records.length === 0) {
    await client.del(dn);
    return;
  }
  await client.modify(dn, [
    new Change({ operation: 'replace', modification: new Attribute({ type: 'dnsRecord', values: [...keep, ...records] }) }),
    ...(existing.some((v) => recordType(v) === 0) ? [new Change({ operation: 'replace', modification: new Attribute({ type: 'dNSTombstoned', values: ['FALSE'] }) })] : []),
  ]);
}

/** Removes every record of `type` at `name` (the undo of an added record). */
export async function clearDnsRecords(client: Client, baseDn: string, zone: string, name: string, type: DnsRecordType): Promise<void> {
  const dn = nodeDn(zone, name, baseDn);
  const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=dnsNode)', attributes: ['dnsRecord'], explicitBufferAttributes: ['dnsRecord'] });
  const existing = ([] as Buffer[]).concat((searchEntries[0]?.dnsRecord as Buffer[] | Buffer | undefined) ?? []);
  const keep = existing.filter((v) => recordType(v) !== TYPE[type]);
  if (keep.length === existing.length) return;
  if (keep.length === 0) await client.del(dn);
  else await client.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'dnsRecord', values: keep }) })]);
}

/** A dnsNode exactly as stored: every dnsRecord value and the tombstone flag, to put back byte for byte. */
export interface DnsNodeSnapshot {
  exists: boolean;
  /** base64 of each dnsRecord value, in the order the directory returned them. */
  records: string[];
  tombstoned: string | null;
}

export async function readDnsNode(client: Client, baseDn: string, zone: string, name: string): Promise<DnsNodeSnapshot> {
  try {
    const { searchEntries } = await client.search(nodeDn(zone, name, baseDn), { scope: 'base', filter: '(objectClass=dnsNode)', attributes: ['dnsRecord', 'dNSTombstoned'], explicitBufferAttributes: ['dnsRecord'] });
    const e = searchEntries[0];
    if (!e) return { exists: false, records: [], tombstoned: null };
    const records = ([] as Buffer[]).concat((e.dnsRecord as Buffer[] | Buffer | undefined) ?? []);
    const t = e.dNSTombstoned;
    return { exists: true, records: records.map((b) => b.toString('base64')), tombstoned: typeof t === 'string' ? t : Array.isArray(t) && typeof t[0] === 'string' ? t[0] : null };
  } catch (e) {
    if ((e as { code?: number }).code === 32) return { exists: false, records: [], tombstoned: null };
    throw e;
  }
}

/** Puts a dnsNode back exactly as a snapshot saw it (every value, in order), or removes it if it did not exist. */
export async function restoreDnsNode(client: Client, baseDn: string, zone: string, name: string, snap: DnsNodeSnapshot): Promise<void> {
  const dn = nodeDn(zone, name, baseDn);
  const now = await readDnsNode(client, baseDn, zone, name);
  if (!snap.exists) {
    if (now.exists) await client.del(dn);
    return;
  }
  const records = snap.records.map((r) => Buffer.from(r, 'base64'));
  if (!now.exists) {
    await client.add(dn, [new Attribute({ type: 'objectClass', values: ['top', 'dnsNode'] }), new Attribute({ type: 'dnsRecord', values: records }),
      ...(snap.tombstoned ? [new Attribute({ type: 'dNSTombstoned', values: [snap.tombstoned] })] : [])]);
    return;
  }
  await client.modify(dn, [
    new Change({ operation: 'replace', modification: new Attribute({ type: 'dnsRecord', values: records }) }),
    ...(snap.tombstoned && snap.tombstoned !== now.tombstoned ? [new Change({ operation: 'replace', modification: new Attribute({ type: 'dNSTombstoned', values: [snap.tombstoned] }) })] : []),
  ]);
}

/** The type, value (presentation form) and TTL of one dnsRecord; types Failguard does not write give their number and no value. */
export function decodeDnsRecord(v: Buffer): { type: number; value: string | null; ttl: number } {
  const type = recordType(v);
  const ttl = v.length >= 16 ? v.readUInt32BE(12) : 0;
  const data = v.subarray(24, 24 + v.readUInt16LE(0));
  const name = Object.entries(TYPE).find(([, code]) => code === type)?.[0] as DnsRecordType | undefined;
  const value = ((): RecordValue | null => {
    switch (name) {
      case 'A': return data.length === 4 ? { type: name, address: [...data].join('.') } : null;
      case 'AAAA': {
        if (data.length !== 16) return null;
        const p = parseRecordValue('AAAA', Array.from({ length: 8 }, (_, i) => data.readUInt16BE(2 * i).toString(16)).join(':'));
        return typeof p === 'string' ? null : p;
      }
      case 'CNAME': case 'PTR': { const t = readCountName(data, 0); return t ? { type: name, target: t } : null; }
      case 'MX': { const x = data.length > 2 ? readCountName(data, 2) : null; return x ? { type: name, preference: data.readUInt16BE(0), exchange: x } : null; }
      case 'SRV': { const t = data.length > 6 ? readCountName(data, 6) : null; return t ? { type: name, priority: data.readUInt16BE(0), weight: data.readUInt16BE(2), port: data.readUInt16BE(4), target: t } : null; }
      default: return null;
    }
  })();
  return { type, value: value ? formatRecordValue(value) : null, ttl };
}

/** The TTL of one type's records in a snapshot (null when it has none). */
export function ttlOf(snap: DnsNodeSnapshot, type: DnsRecordType): number | null {
  return snap.records.map((r) => decodeDnsRecord(Buffer.from(r, 'base64'))).find((r) => r.type === TYPE[type])?.ttl ?? null;
}

/** The values of one type in a snapshot, in presentation form. */
export function valuesOf(snap: DnsNodeSnapshot, type: DnsRecordType): string[] {
  return snap.records.map((r) => decodeDnsRecord(Buffer.from(r, 'base64'))).filter((r) => r.type === TYPE[type] && r.value !== null).map((r) => r.value!);
}

export const TYPE_CODE = TYPE;
