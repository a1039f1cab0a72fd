/**
 * A small DNS client for the queries Failguard makes itself (SRV, A, PTR, MX), UDP with TCP
 * when truncated; the wire format is dns-packet's. Node's resolver (c-ares) rejects some
 * answers of Samba's internal DNS server as malformed (EBADRESP) although dig and Windows
 * accept them, so Failguard asks the server directly. The same library carries the
 * RFC 2136 updates of failover.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { getServers } from 'node:dns';
import { randomInt } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, RecordType } from 'dns-packet';

export interface SrvRecord { priority: number; weight: number; port: number; name: string }

export class DnsError extends Error {
  readonly code: 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'REFUSED' | 'TIMEOUT' | 'BADRESP';
  constructor(code: DnsError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export function buildQuery(id: number, name: string, type: RecordType): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, class: 'IN', name: name.replace(/\.$/, '') }] });
}

/** Decodes an answer to query `id`; anything that is not one is BADRESP. */
export function parseResponse(msg: Buffer, id: number): DecodedPacket & { rcode?: string } {
  let p: DecodedPacket & { rcode?: string };
  try {
    p = dnsPacket.decode(msg) as DecodedPacket & { rcode?: string };
  } catch {
    throw new DnsError('BADRESP', 'the DNS answer could not be read');
  }
  if (p.id !== id || p.type !== 'response') throw new DnsError('BADRESP', 'the DNS answer does not match the question');
  return p;
}

function exchangeUdp(server: string, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(server.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => { sock.close(); reject(new DnsError('TIMEOUT', `the DNS server ${server} did not answer`)); }, timeoutMs);
    sock.on('message', (m) => { clearTimeout(timer); sock.close(); resolve(m); });
    sock.on('error', (e) => { clearTimeout(timer); sock.close(); reject(e); });
    sock.send(query, 53, server);
  });
}

export function exchangeTcp(server: string, query: Buffer, timeoutMs: number, port = 53): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: server, port });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(query.length);
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new DnsError('TIMEOUT', `the DNS server ${server} did not answer`)); }, timeoutMs);
    sock.on('connect', () => sock.write(Buffer.concat([len, query])));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { clearTimeout(timer); sock.destroy(); resolve(buf.subarray(2, 2 + buf.readUInt16BE(0))); }
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/** The answers of `type` for `name`; NXDOMAIN and NODATA are DnsErrors the caller can tell apart. */
export async function query(name: string, type: RecordType, server?: string, timeoutMs = 2000): Promise<Answer[]> {
  const servers = server ? [server] : getServers().map((s) => s.replace(/^\[|\](:\d+)?$/g, '').replace(/:53$/, ''));
  let last: unknown = new DnsError('TIMEOUT', 'no DNS server is configured');
  for (const s of servers) {
    const id = randomInt(0, 0xffff);
    const q = buildQuery(id, name, type);
    try {
      let r = parseResponse(await exchangeUdp(s, q, timeoutMs), id);
      if (r.flag_tc) r = parseResponse(await exchangeTcp(s, q, timeoutMs), id);
      if (r.rcode === 'NXDOMAIN') throw new DnsError('NXDOMAIN', `${name} does not exist`);
      if (r.rcode === 'SERVFAIL') throw new DnsError('SERVFAIL', `the DNS server ${s} failed to answer for ${name}`);
      if (r.rcode === 'REFUSED') throw new DnsError('REFUSED', `the DNS server ${s} refused to answer for ${name}`);
      const answers = (r.answers ?? []).filter((a) => a.type === type);
      if (answers.length === 0) throw new DnsError('NODATA', `${name} has no such record`);
      return answers;
    } catch (e) {
      last = e;
      if (e instanceof DnsError && (e.code === 'NXDOMAIN' || e.code === 'NODATA')) throw e;
    }
  }
  throw last;
}

export async function resolveSrv(name: string, server?: string): Promise<SrvRecord[]> {
  return (await query(name, 'SRV', server)).flatMap((a) => (a.type === 'SRV' ? [{ priority: a.data.priority ?? 0, weight: a.data.weight ?? 0, port: a.data.port, name: a.data.target }] : []));
}

export async function resolve4(name: string, server?: string): Promise<string[]> {
  return (await query(name, 'A', server)).flatMap((a) => (a.type === 'A' ? [a.data] : []));
}

/** The name an address resolves back to (the first PTR), or null. */
export async function resolvePtr(address: string, server?: string): Promise<string | null> {
  const [a, b, c, d] = address.split('.');
  try {
    const answers = await query(`${d}.${c}.${b}.${a}.in-addr.arpa`, 'PTR', server);
    const first = answers[0];
    return first?.type === 'PTR' ? first.data : null;
  } catch (e) {
    if (e instanceof DnsError && (e.code === 'NXDOMAIN' || e.code === 'NODATA')) return null;
    throw e;
  }
}

export async function resolveMx(domain: string, server?: string): Promise<string[]> {
  return (await query(domain, 'MX', server)).flatMap((a) => (a.type === 'MX' ? [a.data.exchange] : []));
}
