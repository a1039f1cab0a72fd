/**
 * A command's output gathered into blocks before the agent reads it, for `btrfs send`.
 *
 * The kernel writes a send stream one command at a time, and for a small file each is a few
 * hundred bytes (create, write, owner, mode, times). Read as it came, the lab's million-file
 * store arrived in 1.44 million reads of 3 KiB on average. Each read was a pass through the
 * send's stages, a TLS record and a socket write: 40 s of the agent's CPU, on two cores that the
 * kernel's own send and receive already kept busy. A plain Node relay took 237 s where the bare
 * pipe took 195 s. Through `dd` in 64 KiB blocks: 90 thousand reads, 3 s of CPU, 175 s.
 *
 * - `dd iflag=fullblock` writes a block only once it is whole, and the last, partial one at the
 *   end. So at most one block is held back, until the command ends. Only full sends are gathered:
 *   their data flows without pause, while a slow incremental send that wrote less than a block in
 *   a minute would look dead to the peer's idle timeout (peer.ts).
 * - The command writes into a real pipe (the shell's `|`). A pipe merges small writes into pages,
 *   where the socket Node would hand it keeps each write as a buffer of its own (measured: 188 s
 *   through a socket to dd, 175 s through a pipe).
 * - The shell sees the arguments only as "$@": nothing in them is parsed or expanded.
 * - POSIX sh has no pipefail, so both exit codes come back on fd 3, the command's first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** The block the stream is gathered into: a Node read's own size (a read may still get part of one). */
export const BLOCK_BYTES = 64 << 10;

const SCRIPT = `{ "$@" 3>&-; echo "$?" >&3; } | dd bs=${BLOCK_BYTES} iflag=fullblock status=none 3>&-; echo "$?" >&3`;

export interface OutputStream {
  /** The command's output, in blocks of BLOCK_BYTES (the last one shorter). */
  readonly stdout: Readable;
  /** The command's complaints, and the gatherer's. */
  readonly stderr: Readable;
  /** The command's exit code (128 + the signal when a signal ended it); the gatherer's when the command's was 0; -1 when the shell itself was killed or nothing could start. */
  readonly exited: Promise<number>;
  /** Ends the command and its gatherer at once, wherever they are (the whole process group). */
  kill(): void;
}

/** Runs `argv` (its words passed as they are, never parsed), its output gathered into blocks unless `gather` is false. */
export function outputStream(argv: readonly string[], o: { env?: NodeJS.ProcessEnv; gather?: boolean } = {}): OutputStream {
  if (!argv.length) throw new Error('outputStream: no command');
  if (o.gather === false) return direct(argv, o.env ?? process.env);
  // A group of its own, so a kill reaches the command and dd, not only the shell between them.
  const p = spawn('/bin/sh', ['-c', SCRIPT, 'failguard-gathered', ...argv], { env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true });
  let codes = '';
  (p.stdio[3] as Readable).on('data', (d: Buffer) => (codes += d.toString('latin1')));
  return watched(p, (code) => {
    const [cmd, dd] = codes.trim().split('\n').map(Number);
    if (code !== 0 || cmd === undefined || dd === undefined || !Number.isInteger(cmd) || !Number.isInteger(dd)) return code === 0 ? -1 : code ?? -1;
    // A command killed by a signal (a broken pipe after the reader stopped) exits 128 + the signal: a failure all the same.
    return cmd !== 0 ? cmd : dd;
  // Only while the shell lives is its PID surely this group's: once it has exited, the number may be another's.
  }, () => { try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone meanwhile */ } });
}

/** The command alone, read as it writes. */
function direct(argv: readonly string[], env: NodeJS.ProcessEnv): OutputStream {
  const p = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return watched(p, (code) => code ?? -1, () => p.kill('SIGKILL'));
}

/** A child as an OutputStream: `exitCode` reads its end once its output is closed; `kill` runs only while it has not exited. */
function watched(p: ChildProcess, exitCode: (code: number | null) => number, kill: () => void): OutputStream {
  let alive = true;
  const exited = new Promise<number>((resolve) => {
    p.once('error', () => { alive = false; resolve(-1); });
    p.once('exit', () => (alive = false));
    p.once('close', (code) => resolve(exitCode(code)));
  });
  return { stdout: p.stdout!, stderr: p.stderr!, exited, kill: () => { if (alive && p.pid) kill(); } };
}
