/**
 * The stream of a point inside one connection: length-prefixed frames ending with an empty
 * one, so the end of the data is explicit (TLS half-close is not relied on) and the answer
 * comes back on the same connection.
 */
import { Transform, type TransformCallback } from 'node:stream';

const MAX = 1 << 20;

/** Wraps data into frames and adds the end frame when its input ends. */
export class Framer extends Transform {
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (let off = 0; off < chunk.length; off += MAX) {
      const part = chunk.subarray(off, off + MAX);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(part.length);
      this.push(head);
      this.push(part);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.push(Buffer.alloc(4));
    done();
  }
}

/** Unwraps frames; ends its output at the end frame, and stops reading there. */
export class Deframer extends Transform {
  #buf: Buffer = Buffer.alloc(0);
  #ended = false;
  /** Bytes that arrived after the end frame (the next request, if any). */
  leftover: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.#ended) return done();
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    while (this.#buf.length >= 4) {
      const n = this.#buf.readUInt32BE(0);
      if (n > MAX) return done(new Error('a frame is larger than the protocol allows'));
      if (n === 0) {
        this.#ended = true;
        this.leftover = this.#buf.subarray(4);
        this.push(null);
        this.emit('frames-end');
        return done();
      }
      if (this.#buf.length < 4 + n) break;
      this.push(this.#buf.subarray(4, 4 + n));
      this.#buf = this.#buf.subarray(4 + n);
    }
    done();
  }
}
