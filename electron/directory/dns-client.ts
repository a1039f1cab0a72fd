/**
 * A small DNS client (RFC 1035 over UDP, TCP when truncated) for SRV and A queries.
 * Node's resolver (c-ares) rejects some answers of Samba's internal DNS server as
 * malformed (EBADRESP) although dig and Windows accept them, so Failguard asks itself.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { getServers } from 'node:dns';
import { randomInt } from 'node:crypto';

export const TYPE = { A: 1, SRV: 33 } as const;

export interface SrvRecord { priority: number; weight: number; port: number; name: string }

export class DnsError extends Error {
  readonly code: 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'REFUSED' | 'TIMEOUT' | 'BADRESP';
  constructor(code: DnsError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export function buildQuery(id: number, name: string, type: number): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // recursion desired
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2); // IN
  return Buffer.concat([header, qname, tail]);
}

/** Reads a possibly compressed name at `offset`; returns it and the offset after it. */
export function readName(msg: Buffer, offset: number): [string, number] {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  for (let hops = 0; hops < 64; hops++) {
    if (pos >= msg.length) throw new DnsError('BADRESP', 'truncated name');
    const len = msg[pos]!;
    if (len === 0) return [labels.join('.'), end === -1 ? pos + 1 : end];
    if ((len & 0xc0) === 0xc0) {
      if (end === -1) end = pos + 2;
      pos = ((len & 0x3f) << 8) | msg[pos + 1]!;
      continue;
    }
    labels.push(msg.subarray(pos + 1, pos + 1 + len).toString('latin1'));
    pos += len + 1;
  }
  throw new DnsError('BADRESP', 'name compression loop');
}

export interface Answer { name: string; type: number; data: Buffer; offset: number }

export function parseResponse(msg: Buffer, id: number): { rcode: number; truncated: boolean; answers: Answer[] } {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id) throw new DnsError('BADRESP', 'response does not match the query');
  const flags = msg.readUInt16BE(2);
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  let pos = 12;
  for (let i = 0; i < qd; i++) pos = readName(msg, pos)[1] + 4;
  const answers: Answer[] = [];
  for (let i = 0; i < an; i++) {
    const [name, after] = readName(msg, pos);
    const type = msg.readUInt16BE(after);
    const rdlen = msg.readUInt16BE(after + 8);
    answers.push({ name, type, data: msg.subarray(after + 10, after + 10 + rdlen), offset: after + 10 });
    pos = after + 10 + rdlen;
  }
  return { rcode: flags & 0x0f, truncated: (flags & 0x0200) !== 0, answers };
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

function exchangeTcp(server: string, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: server, port: 53 });
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

export async function query(name: string, type: number, server?: string, timeoutMs = 2000): Promise<{ msg: Buffer; answers: Answer[] }> {
  const servers = server ? [server] : getServers().map((s) => s.replace(/^\[|\](:\d+)?$/g, '').replace(/:53$/, ''));
  let last: unknown = new DnsError('TIMEOUT', 'no DNS server is configured');
  for (const s of servers) {
    const id = randomInt(0, 0xffff);
    const q = buildQuery(id, name, type);
    try {
      let msg = await exchangeUdp(s, q, timeoutMs);
      let r = parseResponse(msg, id);
      if (r.truncated) {
        msg = await exchangeTcp(s, q, timeoutMs);
        r = parseResponse(msg, id);
      }
      if (r.rcode === 3) throw new DnsError('NXDOMAIN', `${name} does not exist`);
      if (r.rcode === 2) throw new DnsError('SERVFAIL', `the DNS server ${s} failed to answer for ${name}`);
      if (r.rcode === 5) throw new DnsError('REFUSED', `the DNS server ${s} refused to answer for ${name}`);
      const answers = r.answers.filter((a) => a.type === type);
      if (answers.length === 0) throw new DnsError('NODATA', `${name} has no such record`);
      return { msg, answers };
    } catch (e) {
      last = e;
      if (e instanceof DnsError && (e.code === 'NXDOMAIN' || e.code === 'NODATA')) throw e;
    }
  }
  throw last;
}

export async function resolveSrv(name: string, server?: string): Promise<SrvRecord[]> {
  const { msg, answers } = await query(name, TYPE.SRV, server);
  return answers.map((a) => ({ priority: a.data.readUInt16BE(0), weight: a.data.readUInt16BE(2), port: a.data.readUInt16BE(4), name: readName(msg, a.offset + 6)[0] }));
}

export async function resolve4(name: string, server?: string): Promise<string[]> {
  const { answers } = await query(name, TYPE.A, server);
  return answers.filter((a) => a.data.length === 4).map((a) => [...a.data].join('.'));
}
