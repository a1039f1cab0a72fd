/**
 * The parts of dns-packet that encode one name, question or record (exported by the library,
 * not declared by @types/dns-packet), typed here once.
 */
import * as dnsPacket from 'dns-packet';
import type { Answer, Question } from 'dns-packet';

interface Codec<T> { encode(v: T, buf?: Buffer, offset?: number): Buffer | T; encodingLength(v: T): number; decode(buf: Buffer, offset?: number): T }
const lib = dnsPacket as unknown as { name: Codec<string> & { encode: { bytes: number }; decode: { bytes: number } }; question: Codec<Question>; answer: Codec<Answer> };

/** A name in wire form, uncompressed. */
export const encodeName = (n: string): Buffer => lib.name.encode(n) as Buffer;
/** The name at `offset` and how many bytes it takes there (compression pointers followed). */
export function decodeName(buf: Buffer, offset: number): { name: string; bytes: number } {
  const name = lib.name.decode(buf, offset);
  return { name, bytes: lib.name.decode.bytes };
}
/** One question; dns-packet's encoder returns the question rather than the bytes, so the buffer is made here. */
export function encodeQuestion(q: Question): Buffer {
  const b = Buffer.alloc(lib.question.encodingLength(q));
  lib.question.encode(q, b, 0);
  return b;
}
export const encodeRecord = (a: Answer): Buffer => lib.answer.encode(a) as Buffer;
