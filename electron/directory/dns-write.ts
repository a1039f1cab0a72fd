/**
 * Writing A and PTR records into an AD-integrated zone over LDAP: dnsNode objects under
 * DC=<zone>,CN=MicrosoftDNS,DC=DomainDnsZones; each record is one binary dnsRecord value
 * (MS-DNSP 2.3.2.2, layout in ../shared/docs/exchange-ad.md §6). The DC serves it at once.
 */
import { Attribute, Change, type Client } from 'ldapts';

const TYPE = { A: 1, PTR: 12 } as const;

function countName(fqdn: string): Buffer {
  const labels = fqdn.replace(/\.$/, '').split('.');
  const body = Buffer.concat(labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])));
  return Buffer.concat([Buffer.from([body.length + 1, labels.length]), body, Buffer.from([0])]);
}

export function encodeDnsRecord(type: 'A' | 'PTR', value: string, ttl = 900, serial = 1): Buffer {
  const data = type === 'A' ? Buffer.from(value.split('.').map(Number)) : countName(value);
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
  return `DC=${name},DC=${zone},CN=MicrosoftDNS,DC=DomainDnsZones,${baseDn}`;
}

/** Replaces every record of `type` at `name` in `zone` with one record holding `value`. */
export async function setDnsRecord(client: Client, baseDn: string, zone: string, name: string, type: 'A' | 'PTR', value: string): Promise<void> {
  const dn = nodeDn(zone, name, baseDn);
  let existing: Buffer[] | null = null;
  try {
    const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=dnsNode)', attributes: ['dnsRecord', 'dNSTombstoned'], explicitBufferAttributes: ['dnsRecord'] });
    existing = ([] as Buffer[]).concat((searchEntries[0]?.dnsRecord as Buffer[] | Buffer | undefined) ?? []);
  } catch (e) {
    if ((e as { code?: number }).code !== 32) throw e;
  }
  const record = encodeDnsRecord(type, value, 900, existing?.[0] && existing[0].length >= 12 ? existing[0].readUInt32LE(8) : 1);
  if (existing === null) {
    await client.add(dn, [new Attribute({ type: 'objectClass', values: ['top', 'dnsNode'] }), new Attribute({ type: 'dnsRecord', values: [record] })]);
    return;
  }
  // Keep records of other types (a tombstone's type-0 record goes with the revival).
  const keep = existing.filter((v) => recordType(v) !== TYPE[type] && recordType(v) !== 0);
  await client.modify(dn, [
    new Change({ operation: 'replace', modification: new Attribute({ type: 'dnsRecord', values: [...keep, record] }) }),
    ...(existing.some((v) => recordType(v) === 0) ? [new Change({ operation: 'replace', modification: new Attribute({ type: 'dNSTombstoned', values: ['FALSE'] }) })] : []),
  ]);
}

/** Removes every record of `type` at `name` (the undo of an added record). */
export async function clearDnsRecords(client: Client, baseDn: string, zone: string, name: string, type: 'A' | 'PTR'): Promise<void> {
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

/** The type and value of one dnsRecord (A and PTR; other types give their number and no value). */
export function decodeDnsRecord(v: Buffer): { type: number; value: string | null } {
  const type = recordType(v);
  const data = v.subarray(24, 24 + v.readUInt16LE(0));
  if (type === TYPE.A && data.length === 4) return { type, value: [...data].join('.') };
  if (type === TYPE.PTR && data.length >= 2) {
    const labels: string[] = [];
    let pos = 2;
    for (let i = 0; i < data[1]! && pos < data.length; i++) {
      const len = data[pos]!;
      labels.push(data.subarray(pos + 1, pos + 1 + len).toString('ascii'));
      pos += len + 1;
    }
    return { type, value: labels.join('.') };
  }
  return { type, value: null };
}

export const TYPE_CODE = TYPE;
