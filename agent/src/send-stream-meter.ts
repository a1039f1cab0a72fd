/**
 * Reads a btrfs send stream as it passes (version 1: the kernel's fs/btrfs/send.h) and measures
 * what the tripwire judges: how many files the point writes, and for each how well the start of
 * what it writes compresses (zstd, fastest level, on up to SAMPLE_PER_FILE bytes). Ciphertext
 * does not compress; mail, even a base64-encoded compressed attachment, does. Nothing is
 * changed or held back: the bytes go on to `btrfs receive` as they came.
 *
 * The stream's commands come from send-stream.ts; a WRITE carries the file's PATH and its DATA.
 */
import { Transform } from 'node:stream';
import { zstdCompressSync, constants as zc } from 'node:zlib';
import { A_DATA, A_PATH, C_UNLINK, C_WRITE, SendStreamReader, eachAttr } from './send-stream.ts';

/** A file's first bytes written in this point are what is judged: enough to tell text from ciphertext. */
export const SAMPLE_PER_FILE = 32 << 10;
/** A file must have this much sampled to be judged (a tiny file says nothing). */
export const MIN_FILE_SAMPLE = 4 << 10;
/** Compressed over original size at or above which a file's new content counts as ciphertext. */
export const INCOMPRESSIBLE_RATIO = 0.9;
/** Paths of incompressible files kept per point (the tripwire counts distinct files across points). */
export const MAX_PATHS = 200;
/** Files sampled per point at most (memory stays under MAX_SAMPLED_FILES × SAMPLE_PER_FILE); more are counted only. */
export const MAX_SAMPLED_FILES = 1000;

/** What one point's stream carried, as the tripwire reads it. */
export interface StreamMeasure {
  /** Bytes of the whole stream. */
  bytes: number;
  /** Files written (past MAX_SAMPLED_FILES, writes to further files are counted instead), and those judged (enough sampled). */
  filesWritten: number;
  filesJudged: number;
  /** Judged files whose new content does not compress, the bytes written to them, and their paths (the first MAX_PATHS). */
  incompressibleFiles: number;
  incompressibleBytes: number;
  incompressiblePaths: string[];
  /** Files removed. */
  unlinks: number;
  /** The stream could not be read as a send stream (another version), or was not to be judged: nothing was. */
  unreadable: boolean;
}

interface FileSample { bytes: number; head: Buffer[]; headBytes: number }

export class SendStreamMeter extends Transform {
  readonly judge: boolean;
  /** `judge`: read the stream at all; a full send (the initial sync, a resync) is only counted. */
  constructor(judge = true) {
    super();
    this.judge = judge;
  }
  #moreWrites = 0;
  readonly #reader = new SendStreamReader((cmd, attrs) => {
    if (cmd === C_WRITE) this.#write(attrs);
    else if (cmd === C_UNLINK) this.#unlinks++;
  });
  #bytes = 0;
  #unlinks = 0;
  #unreadable = false;
  readonly #files = new Map<string, FileSample>();

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, data?: Buffer) => void): void {
    this.#bytes += chunk.length;
    if (this.judge && !this.#unreadable) {
      try {
        this.#reader.push(chunk);
      } catch {
        // Never in the stream's way: a stream this reader does not understand is passed on, unjudged.
        this.#unreadable = true;
      }
    }
    done(null, chunk);
  }

  #write(attrs: Buffer): void {
    const got: { path: string | null; data: Buffer | null } = { path: null, data: null };
    eachAttr(attrs, (type, v) => {
      if (type === A_PATH) got.path = v.toString('utf8');
      else if (type === A_DATA) got.data = v;
    });
    const { path, data } = got;
    if (path === null || !data?.length) return;
    if (!this.#files.has(path) && this.#files.size >= MAX_SAMPLED_FILES) { this.#moreWrites++; return; }
    const f = this.#files.get(path) ?? { bytes: 0, head: [], headBytes: 0 };
    f.bytes += data.length;
    if (f.headBytes < SAMPLE_PER_FILE) {
      const take = data.subarray(0, SAMPLE_PER_FILE - f.headBytes);
      // One buffer a file: what a file's head needs is joined as it comes.
      f.head = [f.head.length ? Buffer.concat([f.head[0]!, take]) : Buffer.from(take)];
      f.headBytes += take.length;
    }
    this.#files.set(path, f);
  }

  /** What the stream carried; call once it has ended. */
  measure(): StreamMeasure {
    let judged = 0;
    let bad = 0;
    let badBytes = 0;
    const paths: string[] = [];
    for (const [path, f] of this.#files) {
      if (f.headBytes < MIN_FILE_SAMPLE) continue;
      judged++;
      const head = Buffer.concat(f.head);
      const out = zstdCompressSync(head, { params: { [zc.ZSTD_c_compressionLevel]: 1 } }).length;
      if (out / head.length >= INCOMPRESSIBLE_RATIO) { bad++; badBytes += f.bytes; if (paths.length < MAX_PATHS) paths.push(path); }
    }
    if (!this.judge) return { bytes: this.#bytes, filesWritten: 0, filesJudged: 0, incompressibleFiles: 0, incompressibleBytes: 0, incompressiblePaths: [], unlinks: 0, unreadable: true };
    return { bytes: this.#bytes, filesWritten: this.#files.size + this.#moreWrites, filesJudged: judged, incompressibleFiles: bad, incompressibleBytes: badBytes, incompressiblePaths: paths, unlinks: this.#unlinks, unreadable: this.#unreadable };
  }
}
