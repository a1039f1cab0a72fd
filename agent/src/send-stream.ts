/**
 * A btrfs send stream (version 1, the kernel's fs/btrfs/send.h) read as it comes, command by
 * command: a header ("btrfs-stream\0", le32 version), then commands — le32 length, le16 command,
 * le32 crc, then that many bytes of attributes, each le16 type, le16 length, data. One reader for
 * the tripwire's meter (send-stream-meter.ts) and the failback preview's extent count
 * (changed-since.ts). It never buffers more than one command: a length beyond the kernel's 64 KiB
 * send buffer, another version or a wrong header throws, and the caller stops reading.
 */
const HEADER = 17;
const CMD_HEADER = 10;
/** A version-1 command is at most the kernel's send buffer (64 KiB); a longer one is no stream this reader trusts. */
export const MAX_COMMAND = 64 << 10;

export const C_UNLINK = 11;
export const C_WRITE = 15;
export const C_UPDATE_EXTENT = 22;
export const A_SIZE = 4;
export const A_PATH = 15;
export const A_DATA = 19;

export class SendStreamReader {
  #buf: Buffer = Buffer.alloc(0);
  #headerSeen = false;
  readonly #onCommand: (cmd: number, attrs: Buffer) => void;
  readonly #anyVersion: boolean;
  /**
   * `onCommand`: each whole command, with its attributes (a view into the reader's buffer: copy what
   * is kept). `anyVersion`: read a stream of another version too, for commands whose layout it shares.
   */
  constructor(onCommand: (cmd: number, attrs: Buffer) => void, o: { anyVersion?: boolean } = {}) {
    this.#onCommand = onCommand;
    this.#anyVersion = !!o.anyVersion;
  }

  push(chunk: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    let at = 0;
    if (!this.#headerSeen) {
      if (this.#buf.length < HEADER) return;
      if (this.#buf.subarray(0, 12).toString('latin1') !== 'btrfs-stream' || (!this.#anyVersion && this.#buf.readUInt32LE(13) !== 1)) throw new Error('not a btrfs send stream (of version 1)');
      this.#headerSeen = true;
      at = HEADER;
    }
    while (this.#buf.length - at >= CMD_HEADER) {
      const len = this.#buf.readUInt32LE(at);
      if (len > MAX_COMMAND) throw new Error('a command longer than a send stream has');
      if (this.#buf.length - at < CMD_HEADER + len) break;
      this.#onCommand(this.#buf.readUInt16LE(at + 4), this.#buf.subarray(at + CMD_HEADER, at + CMD_HEADER + len));
      at += CMD_HEADER + len;
    }
    // Keep only the unread part (a copy, so the chunk passed on is never held).
    this.#buf = at === this.#buf.length ? Buffer.alloc(0) : Buffer.from(this.#buf.subarray(at));
  }
}

/** Each attribute of a command: its type and data (a view). */
export function eachAttr(attrs: Buffer, fn: (type: number, data: Buffer) => void): void {
  for (let i = 0; i + 4 <= attrs.length;) {
    const len = attrs.readUInt16LE(i + 2);
    fn(attrs.readUInt16LE(i), attrs.subarray(i + 4, i + 4 + len));
    i += 4 + len;
  }
}
