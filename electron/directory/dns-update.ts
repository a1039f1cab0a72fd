/**
 * RFC 2136 dynamic updates, signed with TSIG, for zones that a DNS server other than AD
 * serves (BIND, most often). AD-integrated zones are written over LDAP instead (dns-write.ts):
 * Samba and Windows refuse unsigned updates there, and GSS-TSIG would need Kerberos.
 * Records are read back from the server itself over TCP, so what is checked is what it serves.
 */
import { randomInt } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { UserError } from '../../shared/errors.ts';
import { formatRecordValue, parseRecordValue, type DnsRecordType } from '../../shared/dns-record.ts';
import { exchangeTcp } from './dns-client.ts';
import { encodeName, encodeQuestion, encodeRecord } from './dns-wire.ts';
import { signMessage, verifyAnswer, type TsigKey } from './tsig.ts';

export interface Rfc2136Server { address: string; port: number }

const OPCODE_UPDATE = 5 << 11;
const TYPE_CODE: Record<string, number> = { A: 1, CNAME: 5, SOA: 6, MX: 15, AAAA: 28, SRV: 33, ANY: 255 };
const RCODE_TEXT: Record<string, string> = {
  REFUSED: 'refused the update: its update-policy does not let this key change this name and type',
  NOTAUTH: 'is not authoritative for the zone, or did not accept the key',
  NOTZONE: 'says the name is not in the zone',
  SERVFAIL: 'failed to apply the update (SERVFAIL)',
  FORMERR: 'could not read the update (FORMERR)',
  YXRRSET: 'found the record set different from what the update expects',
  NXRRSET: 'found no record set where the update expects one',
  NXDOMAIN: 'found no such name',
};


/** A record's value in presentation form, from dns-packet's decoded data. */
function valueOf(a: Answer, type: DnsRecordType): string | null {
  const d = (a as { data: unknown }).data as Record<string, unknown> | string;
  const text = type === 'MX' ? `${(d as { preference: number }).preference} ${(d as { exchange: string }).exchange}`
    : type === 'SRV' ? `${(d as { priority: number }).priority ?? 0} ${(d as { weight: number }).weight ?? 0} ${(d as { port: number }).port} ${(d as { target: string }).target}`
      : String(d);
  const v = parseRecordValue(type, text);
  return typeof v === 'string' ? null : formatRecordValue(v);
}

/** The record set as the server serves it now: values in presentation form, and its TTL (0 when there is none). */
export async function readRRset(server: Rfc2136Server, fqdn: string, type: DnsRecordType, timeoutMs = 5000): Promise<{ values: string[]; ttl: number }> {
  const id = randomInt(0, 0xffff);
  const q = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type: type as 'A', class: 'IN', name: fqdn }] });
  const r = dnsPacket.decode(await talk(server, q, timeoutMs)) as dnsPacket.DecodedPacket & { rcode?: string };
  if (r.rcode === 'NXDOMAIN') return { values: [], ttl: 0 };
  if (r.rcode !== 'NOERROR') throw new UserError('dns-update', `The DNS server ${server.address} ${RCODE_TEXT[r.rcode ?? ''] ?? `answered ${r.rcode}`} when asked for ${fqdn} ${type}.`);
  const answers = (r.answers ?? []).filter((a) => a.type === type && a.name.toLowerCase() === fqdn);
  return { values: answers.map((a) => valueOf(a, type)).filter((v): v is string => v !== null), ttl: (answers[0] as { ttl?: number } | undefined)?.ttl ?? 0 };
}

async function talk(server: Rfc2136Server, msg: Buffer, timeoutMs: number): Promise<Buffer> {
  try {
    return await exchangeTcp(server.address, msg, timeoutMs, server.port);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UserError('dns-unreachable', code === 'ECONNREFUSED' ? `Nothing answers DNS over TCP at ${server.address}:${server.port}; check the DNS server's address and that it is running.`
      : `The DNS server ${server.address}:${server.port} did not answer (${code ?? (e as Error).message}); check that it is reachable from here.`);
  }
}

/** The bytes of a record with no data and class ANY: in the update section it deletes the whole set (RFC 2136 §2.5.2). */
function emptyRecord(fqdn: string, type: number): Buffer {
  const name = encodeName(fqdn);
  const rest = Buffer.alloc(10);
  rest.writeUInt16BE(type, 0);
  rest.writeUInt16BE(255, 2);
  return Buffer.concat([name, rest]);
}

function recordOf(fqdn: string, type: DnsRecordType, value: string, ttl: number): Buffer {
  const v = parseRecordValue(type, value);
  if (typeof v === 'string') throw new UserError('bad-input', `${fqdn} ${type}: ${v}.`);
  const data = v.type === 'MX' ? { preference: v.preference, exchange: v.exchange }
    : v.type === 'SRV' ? { priority: v.priority, weight: v.weight, port: v.port, target: v.target }
      : 'address' in v ? v.address : v.target;
  return encodeRecord({ name: fqdn, type: type as 'A', class: 'IN', ttl, data } as Answer);
}

/** One UPDATE: zone section, prerequisites, updates; signed, sent, and the signed answer checked. */
async function sendUpdate(server: Rfc2136Server, key: TsigKey, zone: string, prerequisites: Buffer[], updates: Buffer[], timeoutMs: number): Promise<void> {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(randomInt(0, 0xffff), 0);
  header.writeUInt16BE(OPCODE_UPDATE, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(prerequisites.length, 6);
  header.writeUInt16BE(updates.length, 8);
  const zoneSection = encodeQuestion({ name: zone.replace(/\.$/, ''), type: 'SOA', class: 'IN' });
  const { signed, requestMac } = signMessage(Buffer.concat([header, zoneSection, ...prerequisites, ...updates]), key);
  const answer = await talk(server, signed, timeoutMs);
  const r = dnsPacket.decode(answer) as dnsPacket.DecodedPacket & { rcode?: string };
  const tsigProblem = verifyAnswer(answer, key, requestMac);
  if (r.rcode !== 'NOERROR') {
    const why = tsigProblem && r.rcode === 'NOTAUTH' && !tsigProblem.includes('not signed') ? tsigProblem : `it ${RCODE_TEXT[r.rcode ?? ''] ?? `answered ${r.rcode}`}`;
    throw new UserError('dns-update', `The DNS server ${server.address} did not change zone ${zone}: ${why}. Nothing was changed.`);
  }
  if (tsigProblem) throw new UserError('dns-update', `The DNS server ${server.address} answered the update of zone ${zone}, but ${tsigProblem}; check the records by hand.`);
}

/** Replaces the record set of (fqdn, type) with `values`; no values removes it. */
export async function replaceRRset(server: Rfc2136Server, key: TsigKey, zone: string, fqdn: string, type: DnsRecordType, values: string[], ttl: number, timeoutMs = 5000): Promise<void> {
  const adds = values.map((v) => recordOf(fqdn, type, v, ttl));
  await sendUpdate(server, key, zone, [], [emptyRecord(fqdn, TYPE_CODE[type]!), ...adds], timeoutMs);
}

/** A value no real record holds (documentation and discard addresses, the .invalid name), per type. */
const NEVER: Record<DnsRecordType, string> = {
  A: '192.0.2.254', AAAA: '100::fe', CNAME: 'failguard-probe.invalid', PTR: 'failguard-probe.invalid',
  MX: '65535 failguard-probe.invalid', SRV: '65535 65535 65535 failguard-probe.invalid',
};

/**
 * A signed update that changes nothing: it deletes one record that is not there (RFC 2136
 * §2.5.4, class NONE). The server checks the key, the zone and its update-policy for that name
 * and type exactly as for a real change, then has nothing to do. Pre-flight uses it.
 */
export async function probeUpdate(server: Rfc2136Server, key: TsigKey, zone: string, fqdn: string, type: DnsRecordType, timeoutMs = 5000): Promise<void> {
  const rr = recordOf(fqdn, type, NEVER[type], 0);
  rr.writeUInt16BE(254, encodeName(fqdn).length + 2);
  await sendUpdate(server, key, zone, [], [rr], timeoutMs);
}
