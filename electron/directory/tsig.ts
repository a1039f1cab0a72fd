/**
 * TSIG (RFC 8945): a DNS message signed with a shared key, and the server's signed answer
 * checked, as nsupdate does. dns-packet encodes names and records but neither signs nor
 * checks, and no well-kept npm library does, so the MAC is computed here over exactly the
 * bytes the RFC names (§4.3.3 for a request, §5.3 for its answer).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import { decodeName, encodeName } from './dns-wire.ts';

export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha512';
export const TSIG_ALGORITHMS: readonly TsigAlgorithm[] = ['hmac-sha256', 'hmac-sha512'];
export interface TsigKey { name: string; algorithm: TsigAlgorithm; /** base64, as in BIND's key statement */ secret: string }

const HASH: Record<TsigAlgorithm, string> = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512' };
const CLASS_ANY = 255;
const TYPE_TSIG = 250;
const FUDGE = 300;
/** TSIG error codes (RFC 8945 §4.3.1 and the RCODE table) as sentences. */
const TSIG_ERRORS: Record<number, string> = {
  16: 'the server says the signature is wrong (BADSIG): the key\'s secret is not the one the server has',
  17: 'the server does not know this key (BADKEY): check the key name and algorithm',
  18: 'the server says the time is wrong (BADTIME): this computer\'s clock and the DNS server\'s differ by more than 5 minutes',
  22: 'the server says the signature is too short (BADTRUNC)',
};
export const tsigErrorText = (code: number) => TSIG_ERRORS[code] ?? `TSIG error ${code}`;

/** A name in canonical wire form: lower case, uncompressed. */
const wireName = (n: string) => encodeName(n.replace(/\.$/, '').toLowerCase());

const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u48 = (n: number) => { const b = Buffer.alloc(6); b.writeUIntBE(n, 0, 6); return b; };

/** The TSIG variables of §4.3.3: what is signed besides the message. */
function variables(key: TsigKey, timeSigned: number, error = 0, other: Uint8Array = Buffer.alloc(0)): Buffer {
  return Buffer.concat([wireName(key.name), u16(CLASS_ANY), u32(0), wireName(key.algorithm), u48(timeSigned), u16(FUDGE), u16(error), u16(other.length), other]);
}

const mac = (key: TsigKey, ...parts: Uint8Array[]) => {
  const h = createHmac(HASH[key.algorithm], Buffer.from(key.secret, 'base64'));
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The message with a TSIG record appended (ARCOUNT one more) and the MAC, which checks the answer. */
export function signMessage(message: Buffer, key: TsigKey, now = Date.now()): { signed: Buffer; requestMac: Buffer } {
  const timeSigned = Math.floor(now / 1000);
  const m = mac(key, message, variables(key, timeSigned));
  const rdata = Buffer.concat([wireName(key.algorithm), u48(timeSigned), u16(FUDGE), u16(m.length), m, message.subarray(0, 2), u16(0), u16(0)]);
  const rr = Buffer.concat([wireName(key.name), u16(TYPE_TSIG), u16(CLASS_ANY), u32(0), u16(rdata.length), rdata]);
  const signed = Buffer.concat([message, rr]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { signed, requestMac: m };
}

interface TsigRecord { start: number; algorithm: string; timeSigned: number; fudge: number; mac: Buffer; originalId: number; error: number; other: Buffer }

/** Finds the TSIG record, which must be the last of the additional section. */
function lastRecordTsig(msg: Buffer): TsigRecord | null {
  const decoded = dnsPacket.decode(msg);
  const n = (decoded.additionals ?? []).length;
  if (n === 0 || (decoded.additionals![n - 1]! as { type: string }).type !== 'TSIG') return null;
  // Walk the message to the start of the last record (dns-packet gives no offsets).
  let off = 12;
  const nameBytes = (at: number) => decodeName(msg, at).bytes;
  const skipName = () => { off += nameBytes(off); };
  const counts = [4, 6, 8, 10].map((o) => msg.readUInt16BE(o));
  for (let i = 0; i < counts[0]!; i++) { skipName(); off += 4; }
  const records = counts[1]! + counts[2]! + counts[3]!;
  let start = off;
  for (let i = 0; i < records; i++) {
    start = off;
    skipName();
    off += 8;
    off += 2 + msg.readUInt16BE(off);
  }
  let p = start + nameBytes(start) + 10;
  const { name: algorithm, bytes } = decodeName(msg, p);
  p += bytes;
  const timeSigned = msg.readUIntBE(p, 6);
  const fudge = msg.readUInt16BE(p + 6);
  const macLen = msg.readUInt16BE(p + 8);
  const m = msg.subarray(p + 10, p + 10 + macLen);
  p += 10 + macLen;
  const otherLen = msg.readUInt16BE(p + 4);
  return { start, algorithm: algorithm.toLowerCase(), timeSigned, fudge, mac: Buffer.from(m), originalId: msg.readUInt16BE(p), error: msg.readUInt16BE(p + 2), other: Buffer.from(msg.subarray(p + 6, p + 6 + otherLen)) };
}

/**
 * Checks the server's answer to a signed request: null when it is signed with the same key
 * and its MAC covers the request's, else the sentence saying what is wrong. An answer whose
 * TSIG error is set (the server refused our signature) is reported as that error.
 */
export function verifyAnswer(answer: Buffer, key: TsigKey, requestMac: Buffer, now = Date.now()): string | null {
  let t: TsigRecord | null;
  try {
    t = lastRecordTsig(answer);
  } catch {
    return 'the DNS server\'s answer could not be read';
  }
  if (!t) return 'the DNS server\'s answer is not signed, so it cannot be trusted';
  if (t.error) return tsigErrorText(t.error);
  if (t.algorithm !== key.algorithm) return `the DNS server signed its answer with ${t.algorithm}, not ${key.algorithm}`;
  const body = Buffer.from(answer.subarray(0, t.start));
  body.writeUInt16BE(body.readUInt16BE(10) - 1, 10);
  body.writeUInt16BE(t.originalId, 0);
  const expected = mac(key, u16(requestMac.length), requestMac, body, variables(key, t.timeSigned, t.error, t.other));
  if (t.mac.length !== expected.length || !timingSafeEqual(t.mac, expected)) return 'the DNS server\'s answer carries a wrong signature';
  if (Math.abs(now / 1000 - t.timeSigned) > t.fudge) return tsigErrorText(18);
  return null;
}
