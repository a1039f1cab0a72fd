/**
 * A command's output gathered into blocks before the agent passes it on, for `btrfs send`.
 *
 * The kernel writes a send stream one command at a time, and for a small file each is a few
 * hundred bytes (create, write, owner, mode, times). Read as it came, the lab's million-file
 * store arrived in 1.44 million reads of 3 KiB on average. Each read was a pass through the
 * send's stages, a TLS record and a socket write: 40 s of the agent's CPU, on two cores that the
 * kernel's own send and receive already kept busy. A plain Node relay took 237 s where the bare
 * pipe took 195 s.
 *
 * `dd bs=64K iflag=fullblock` between them cut that to 90 thousand reads in Node, but dd itself
 * still read as the kernel wrote: it slept on the empty pipe, and every write woke it for 3 KiB
 * (10.9 s of dd's CPU in a million-file sync, and the send's as much again in wake-ups).
 *
 * So the agent reads the pipe itself, at its own pace: a FIFO's read end held non-blocking, read
 * until it is empty, then left alone for a millisecond while the send fills it. A writer into a
 * pipe that is not empty wakes nobody, and each read takes what a millisecond brought. The pipe
 * holds 64 KiB: a read that found it near full comes back at once, so a fast send is never held.
 * - Blocks of BLOCK_BYTES are passed on, and what a block holds once the pipe ran dry is passed on
 *   after about HOLD_MS, checked between passes, so at most HOLD_MS + MAX_REST_MS (the peer's idle
 *   timeout must never see a slow send as dead, peer.ts).
 * - The command runs as the agent's own child with its arguments as they are: no shell parses them.
 *   A kill ends it directly, and so does the agent's death: its reads stop, and the send's next
 *   write into a pipe with no reader fails.
 * - The FIFO lives only until both ends are open, in a private folder (mode 0700) inside the agent's own state folder.
 * Only full sends are gathered: an incremental send is small, and read as it writes, none of it waits.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, fstatSync, mkdtempSync, openSync, readSync, readdirSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

/** The block the stream is gathered into: a Node read's own size. */
export const BLOCK_BYTES = 64 << 10;
/** How long the reader leaves an empty pipe alone. */
export const PACE_MS = 1;
/** The longest a block's first bytes wait for the rest of it once the pipe has run dry. */
export const HOLD_MS = 20;
/** The longest rest after passes that found the pipe empty (the pipe holds 64 KiB: at 8 ms, a send faster than 8 MB/s waits a moment once). */
const MAX_REST_MS = 8;
/** A read pass that found at least this much comes back at once, not after PACE_MS: the pipe (64 KiB) was nearly full. */
const FULL_PASS = 48 << 10;

export interface OutputStream {
  /** The command's output, in blocks of BLOCK_BYTES where it comes fast, shorter where it comes slowly or ends. */
  readonly stdout: Readable;
  /** The command's complaints. */
  readonly stderr: Readable;
  /** The command's exit code (128 + the signal when a signal ended it); 127 when it could not start; -1 when `kill` ended it. */
  readonly exited: Promise<number>;
  /** Ends the command at once, wherever it is, and lets its output go. */
  kill(): void;
}

/**
 * Runs `argv` (its words passed as they are, never parsed), its output gathered into blocks unless `gather` is false.
 * `fifoDir`: a folder only the agent can write (its state folder), where the FIFO lives while both its ends are opened;
 * never a shared temporary folder, where another user could put a FIFO of their own in its place.
 */
export function outputStream(argv: readonly string[], o: { env?: NodeJS.ProcessEnv; gather?: boolean; fifoDir?: string } = {}): OutputStream {
  if (!argv.length) throw new Error('outputStream: no command');
  const env = o.env ?? process.env;
  if (o.gather === false) {
    const p = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return watched(p, p.stdout);
  }
  const dir = mkdtempSync(join(o.fifoDir ?? tmpdir(), 'send-'));
  let readEnd = -1;
  let writeEnd = -1;
  try {
    const fifo = join(dir, 'out');
    execFileSync('mkfifo', ['-m', '600', '--', fifo], { env: { PATH: '/usr/bin:/bin' }, stdio: 'ignore', timeout: 10_000 });
    // The read end first and non-blocking (its open does not wait for a writer), checked to be a FIFO; then the write end,
    // blocking for the command, opened through the read end's descriptor: the same FIFO, whatever its path names by then,
    // and at once (a reader is there).
    readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    const ends = fstatSync(readEnd);
    if (!ends.isFIFO()) throw new Error(`${fifo} is not the FIFO the agent made`);
    writeEnd = openSync(`/proc/self/fd/${readEnd}`, constants.O_WRONLY);
    const p = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', writeEnd, 'pipe'] });
    const out = pacedReader(readEnd);
    readEnd = -1;
    return watched(p, out);
  } finally {
    // The command holds its own copy of the write end: the agent's is closed, so the command's exit is the stream's end.
    if (writeEnd >= 0) closeSync(writeEnd);
    if (readEnd >= 0) closeSync(readEnd);
    // A folder left behind must not lose a send that has started (the next start of the agent removes it: removeLeftoverFifoDirs).
    try { rmSync(dir, { recursive: true, force: true }); } catch { /* removed at the next start */ }
  }
}

/** Removes FIFO folders an agent killed in the middle of making one left in `fifoDir` (at start, before any send). */
export function removeLeftoverFifoDirs(fifoDir: string): void {
  for (const name of readdirSync(fifoDir)) if (/^send-[A-Za-z0-9]{6}$/.test(name)) rmSync(join(fifoDir, name), { recursive: true, force: true });
}

/** A pipe's non-blocking read end as a stream of blocks, read until empty, then left for PACE_MS (see the top of this file). */
function pacedReader(fd: number): Readable {
  let block = Buffer.allocUnsafe(BLOCK_BYTES);
  let filled = 0;
  /** When the block's first bytes came. */
  let since = 0;
  /** The next pass, when one is due (never run from inside the stream's own calls: no pass runs inside another). */
  let next: (() => void) | null = null;
  let closed = false;
  /** The rest before the next pass: PACE_MS after a pass that found something. */
  let rest = PACE_MS;
  const schedule = (soon: boolean) => {
    if (next || closed) return;
    if (soon) { const t = setImmediate(pump); next = () => clearImmediate(t); } else { const t = setTimeout(pump, rest); next = () => clearTimeout(t); }
  };
  const close = () => {
    if (closed) return;
    closed = true;
    next?.();
    next = null;
    closeSync(fd);
  };
  const handOver = () => {
    // A whole block goes as it is, and a new one takes its place; a short one (a slow send) as a copy of its own size, so
    // what waits in the stream's buffer is what was read, not 64 KiB for each few bytes.
    const whole = filled === BLOCK_BYTES;
    let short: Buffer | null = null;
    if (!whole) block.copy((short = Buffer.allocUnsafeSlow(filled)), 0, 0, filled);
    const more = out.push(short ?? block);
    if (whole) block = Buffer.allocUnsafe(BLOCK_BYTES);
    filled = 0;
    return more;
  };
  function pump(): void {
    next = null;
    if (closed) return;
    let got = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, block, filled, BLOCK_BYTES - filled, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
        close();
        out.destroy(e as Error);
        return;
      }
      if (n === 0) {
        // Every writer has closed: the command's output is whole.
        if (filled) handOver();
        close();
        out.push(null);
        return;
      }
      if (!filled) since = performance.now();
      const asked = BLOCK_BYTES - filled;
      filled += n;
      got += n;
      // A full block goes on; when the stream's reader has enough, the next pass waits until it asks for more (read()).
      if (filled === BLOCK_BYTES && !handOver()) return;
      // Less than asked: the pipe is empty now. Reading again would only fail with EAGAIN, and in Node a failed read is a
      // thrown error, a dear thing to make thousands of times a second.
      if (n < asked) break;
    }
    if (filled && performance.now() - since >= HOLD_MS && !handOver()) return;
    // A pass that found the pipe empty waits twice as long next time, up to MAX_REST_MS: a send busy reading the disk is not asked a thousand times a second.
    rest = got ? PACE_MS : Math.min(MAX_REST_MS, rest * 2);
    schedule(got >= FULL_PASS);
  }
  const out = new Readable({
    highWaterMark: 4 * BLOCK_BYTES,
    read: () => schedule(true),
    destroy: (e, done) => { close(); done(e); },
  });
  return out;
}

/** A child as an OutputStream: `exited` once it has ended and its pipes closed; `kill` only while it has not exited (its PID may be another's after). */
function watched(p: ChildProcess, stdout: Readable | null): OutputStream {
  // A spawn refused for want of descriptors returns a child without its pipes (and says why in an 'error' event).
  stdout ??= Readable.from([]);
  const stderr = p.stderr ?? Readable.from([]);
  let alive = true;
  let killed = false;
  const exited = new Promise<number>((resolve) => {
    // A command that could not start answers 127, as a shell would; an error after the start (a failed kill) changes nothing.
    let started = false;
    p.once('spawn', () => (started = true));
    p.on('error', () => { if (started) return; alive = false; resolve(127); });
    p.once('exit', () => (alive = false));
    p.once('close', (code, signal) => resolve(killed ? -1 : code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : -1)));
  });
  // The output is let go too: a reader that never started would otherwise hold the FIFO's read end open.
  return { stdout, stderr, exited, kill: () => { if (alive && p.pid) { killed = true; p.kill('SIGKILL'); } stdout.destroy(); } };
}
