/** The btrfs commands the engine runs, each a child process with its errors kept as plain sentences. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { UserError } from '../../shared/errors.ts';
import { outputStream, type OutputStream } from './gathered-stream.ts';

const ENV = { ...process.env, LC_ALL: 'C', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

export function run(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(args[0]!, args.slice(1), { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('error', (e) => reject(new UserError('agent-command', `${args[0]} could not start: ${e.message}`)));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new UserError('agent-command', `${args.slice(0, 3).join(' ')} failed (exit ${code}): ${err.trim().split('\n').at(-1) ?? ''}`))));
    p.stdin.end(input);
  });
}

/** An atomic, read-only snapshot of the protected subvolume. */
export const snapshot = (subvolume: string, dest: string) => run(['btrfs', 'subvolume', 'snapshot', '-r', subvolume, dest]);

/** Deletes a subvolume; the space is freed in the background (no wait for the commit). */
export const deleteSubvolume = (path: string) => run(['btrfs', 'subvolume', 'delete', path]);

/** Names in a folder of points (empty when the folder does not exist yet). */
export async function listNames(dir: string): Promise<string[]> {
  return readdir(dir).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
}

/**
 * A point in a folder of points is whole when it is read-only: `btrfs receive` sets the received
 * UUID and then the read-only flag as its very last acts, so a partial receive is never read-only;
 * and a host's own points moved there at failback (read-only snapshots, no received UUID) count too.
 */
export async function isWholePoint(path: string): Promise<boolean> {
  return (await run(['btrfs', 'property', 'get', '-ts', path, 'ro']).catch(() => '')).includes('ro=true');
}

/** A received subvolume is complete only once receive made it read-only with its received UUID (one `subvolume show` says both). */
export async function isCompleteReceive(path: string): Promise<boolean> {
  return showsCompleteReceive(await run(['btrfs', 'subvolume', 'show', path]).catch(() => ''));
}

/** `btrfs subvolume show`'s text of a complete receive: the read-only flag (the kernel's, as `property get ro` reads it) and a received UUID. */
export function showsCompleteReceive(show: string): boolean {
  return /^\s*Flags:\s+readonly\s*$/m.test(show) && /^\s*Received UUID:\s+[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s*$/m.test(show);
}

/** `btrfs send [-p parent] point` as a stream; a full send gathered into blocks through a FIFO in `fifoDir` (gathered-stream.ts: a million small files would otherwise come as millions of reads). */
export function sendStream(point: string, parent: string | null, fifoDir: string): OutputStream {
  return outputStream(['btrfs', 'send', '-q', ...(parent ? ['-p', parent] : []), point], { env: ENV, gather: parent === null, fifoDir });
}

/** `btrfs receive dir` fed from stdin. */
export function receiveProcess(dir: string): ChildProcess {
  return spawn('btrfs', ['receive', '-e', '--chroot', dir], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * About the bytes a full send of a point carries, for its progress: what its volume stores, data and
 * metadata, by btrfs's own count (`filesystem df`, one ioctl). Not `du`: on a store of a million files
 * that walked every file beside the send, 12.6 s of the disk (a raw send took 14 % longer beside it). The
 * points of a volume share what it stores, so for a volume of mail this is the point plus whatever other
 * subvolumes there add. On the lab's million files: 4.82 GB told, 4.42 GB sent (a send carries each
 * file's data and a few hundred bytes of commands; the rest of the metadata stays home): the progress
 * ends a little short of 100 %, never sits at 100 % while the send goes on.
 */
export async function volumeStoredBytes(path: string): Promise<number | null> {
  return storedBytes(await run(['btrfs', 'filesystem', 'df', '-b', path]).catch(() => ''));
}

/** Data plus metadata in use, from `btrfs filesystem df -b` ("Data, single: total=…, used=…"); null without a data line. An upper bound: other subvolumes count too. */
export function storedBytes(df: string): number | null {
  const used = (kind: string) => {
    const m = new RegExp(`^${kind}, [^:]+: total=\\d+, used=(\\d+)$`, 'm').exec(df);
    const n = m ? Number(m[1]) : NaN;
    return Number.isSafeInteger(n) ? n : null;
  };
  // A small volume made with mixed block groups keeps both in one: "Data+Metadata, single: …".
  const mixed = used('Data\\+Metadata');
  if (mixed !== null) return mixed > 0 ? mixed : null;
  const data = used('Data');
  return data !== null && data > 0 ? data + (used('Metadata') ?? 0) : null;
}
