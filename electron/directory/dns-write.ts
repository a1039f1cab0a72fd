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
