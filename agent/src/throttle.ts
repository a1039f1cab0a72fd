/**
 * A bandwidth limiter as a Transform stream: a token bucket whose rate is read from the
 * schedule for every chunk, so a new hour's limit applies without restarting the stream.
 */
import { Transform, type TransformCallback } from 'node:stream';

export class Throttle extends Transform {
  readonly #rate: () => number | null;
  #tokens = 0;
  #last = performance.now();
  constructor(rate: () => number | null) {
    super({ highWaterMark: 64 * 1024 });
    this.#rate = rate;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    void this.#pass(chunk).then(() => done(), done);
  }

  async #pass(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      const rate = this.#rate();
      if (rate === null) {
        this.push(off === 0 ? chunk : chunk.subarray(off));
        this.#tokens = 0;
        this.#last = performance.now();
        return;
      }
      const now = performance.now();
      // At most a quarter second of burst: the link sees the limit, not spikes above it.
      this.#tokens = Math.min(rate / 4, this.#tokens + ((now - this.#last) / 1000) * rate);
      this.#last = now;
      const n = Math.min(chunk.length - off, Math.max(1, Math.floor(this.#tokens)));
      if (this.#tokens < 1) {
        await new Promise((r) => setTimeout(r, Math.max(1, Math.min(250, ((1 - this.#tokens) / rate) * 1000 + 5))));
        continue;
      }
      this.push(chunk.subarray(off, off + n));
      this.#tokens -= n;
      off += n;
    }
  }
}
