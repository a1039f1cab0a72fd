/**
 * The stream of a point inside one connection: length-prefixed frames ending with an empty
 * one, so the end of the data is explicit (TLS half-close is not relied on) and the answer
 * comes back on the same connection.
 */
import { Transform, type TransformCallback } from 'node:stream';

const MAX = 1 << 20;

/**
 * Wraps data into frames and adds the end frame when its input ends. A frame leaves as one buffer, its
 * length in front: pushed apart, the four bytes were a TLS record and a socket write of their own, as
 * many writes as the data's (a full send's 64 KiB blocks: the copy costs less than the write it saves).
 */
export class Framer extends Transform {
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (let off = 0; off < chunk.length; off += MAX) {
      const part = chunk.subarray(off, off + MAX);
      const frame = Buffer.allocUnsafe(4 + part.length);
      frame.writeUInt32BE(part.length);
      part.copy(frame, 4);
      this.push(frame);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.push(Buffer.alloc(4));
    done();
  }
}

/**
 * Unwraps frames; ends its output at the end frame, and stops reading there. A frame's data is passed on
 * as it arrives, in views of the chunks that carry it: nothing is copied or held back to make a frame
 * whole (TLS hands over 16 KiB at a time; joining those into 64 KiB frames copied each byte 2.5 times).
 */
export class Deframer extends Transform {
  /** Bytes of the current frame's data still to come. */
  #need = 0;
  /** A length prefix split across chunks, as far as it has come. */
  #prefix: Buffer = Buffer.alloc(0);
  #ended = false;
  /** Bytes that arrived after the end frame (the next request, if any). */
  leftover: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.#ended) return done();
    let at = 0;
    while (at < chunk.length) {
      if (this.#need > 0) {
        const n = Math.min(this.#need, chunk.length - at);
        this.push(chunk.subarray(at, at + n));
        this.#need -= n;
        at += n;
        continue;
      }
      const take = Math.min(4 - this.#prefix.length, chunk.length - at);
      this.#prefix = Buffer.concat([this.#prefix, chunk.subarray(at, at + take)]);
      at += take;
      if (this.#prefix.length < 4) break;
      const n = this.#prefix.readUInt32BE(0);
      this.#prefix = Buffer.alloc(0);
      if (n > MAX) return done(new Error('a frame is larger than the protocol allows'));
      if (n === 0) {
        this.#ended = true;
        this.leftover = chunk.subarray(at);
        this.push(null);
        this.emit('frames-end');
        return done();
      }
      this.#need = n;
    }
    done();
  }

  /** Input that ends before the end frame is a cut stream, never a whole one. */
  override _flush(done: TransformCallback): void {
    done(this.#ended ? null : new Error('the stream ended before its end frame: the connection was cut'));
  }
}
