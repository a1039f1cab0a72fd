import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BLOCK_BYTES, outputStream, removeLeftoverFifoDirs } from '../../agent/src/gathered-stream.ts';

/** Writes `writes` pieces of `size` bytes, each its own write(2), with a pause every `burst` of them: a send stream's pace. */
const WRITER = `
const fs = require('node:fs');
const [writes, size, burst] = process.argv.slice(1).map(Number);
let i = 0;
(function next() {
  for (let b = 0; b < burst && i < writes; b++, i++) fs.writeSync(1, Buffer.alloc(size, 48 + (i % 10)));
  if (i < writes) setTimeout(next, 1);
})();`;
const writer = (writes: number, size: number, burst: number) => [process.execPath, '-e', WRITER, String(writes), String(size), String(burst)];

async function chunksOf(r: Readable): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return out;
}

/** What this process has open (FIFOs show their path). */
const openFds = () => readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } }).filter((l) => l && !l.startsWith('/proc/'));

/** Alive and not a zombie (a killed process answers signal 0 until its new parent collects it). */
const isAlive = (pid: number) => {
  try { process.kill(pid, 0); } catch { return false; }
  try { return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z'; } catch { return false; }
};
const expected = (writes: number, size: number) => Buffer.concat(Array.from({ length: writes }, (_, i) => Buffer.alloc(size, 48 + (i % 10))));

describe('a command\'s output gathered into blocks', () => {
  it('passes every byte on, in order, in whole blocks where the command wrote hundreds of small pieces', async () => {
    const g = outputStream(writer(12_000, 300, 30));
    const chunks = await chunksOf(g.stdout);
    expect(await g.exited).toBe(0);
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(3_600_000);
    expect(all.equals(expected(12_000, 300))).toBe(true);
    // 400 bursts a millisecond apart: read as written, that is 400 reads or more (1,500 to 5,000 measured here, a read per
    // burst or per write); gathered, 55 blocks, each read whole or in two parts (a socket's buffer may split one).
    expect(chunks.length).toBeLessThanOrEqual(2 * Math.ceil(all.length / BLOCK_BYTES));
  });

  it('holds the command back while nothing reads, and loses nothing', async () => {
    // 10 MB written as fast as the pipe takes it.
    const g = outputStream(writer(2_000, 5_000, 2_000));
    // One read starts the reading; then nobody reads for half a second.
    g.stdout.read(0);
    await new Promise((r) => setTimeout(r, 500));
    // The stream holds at most its buffer's worth and one block: reading stopped, the pipe filled, the command waits.
    expect(g.stdout.readableLength).toBeGreaterThan(0);
    expect(g.stdout.readableLength).toBeLessThanOrEqual(5 * BLOCK_BYTES);
    const chunks = await chunksOf(g.stdout);
    expect(await g.exited).toBe(0);
    expect(Buffer.concat(chunks).equals(expected(2_000, 5_000))).toBe(true);
  });

  it('hands over a short output whole at its end, not held for a block', async () => {
    const g = outputStream(['printf', 'abc']);
    expect(Buffer.concat(await chunksOf(g.stdout)).toString()).toBe('abc');
    expect(await g.exited).toBe(0);
  });

  it('reports the command\'s own exit code and signal, and 127 for a command that is not there', async () => {
    const g = outputStream(['sh', '-c', 'printf partial; exit 3']);
    expect(Buffer.concat(await chunksOf(g.stdout)).toString()).toBe('partial');
    expect(await g.exited).toBe(3);
    const signalled = outputStream(['sh', '-c', 'printf x; kill -TERM $$']);
    await chunksOf(signalled.stdout);
    expect(await signalled.exited).toBe(128 + 15);
    const missing = outputStream(['/nonexistent/btrfs', 'send']);
    expect((await chunksOf(missing.stdout)).length).toBe(0);
    expect(await missing.exited).toBe(127);
  });

  it('leaves no FIFO or folder behind, and hands a slow command\'s first bytes on while it still runs, as a block of their own size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-gathered-'));
    // 100 bytes, then nothing for half a second: the bytes must not wait for a block (the peer's idle timeout would see a
    // dead send). Held for the half second, they would come in one piece with the rest.
    const g = outputStream(['sh', '-c', 'printf %0100d 0; sleep 0.5; printf end'], { fifoDir: dir });
    expect(readdirSync(dir)).toEqual([]);
    const first = await new Promise<Buffer>((r) => g.stdout.once('data', r));
    expect(first.toString()).toBe('0'.repeat(100));
    // A copy, not a view of a 64 KiB block kept alive by a few bytes.
    expect(first.buffer.byteLength).toBe(100);
    const rest = Buffer.concat(await chunksOf(g.stdout)).toString();
    expect(rest).toBe('end');
    expect(await g.exited).toBe(0);
  });

  it('throws where it cannot make its FIFO (the shipper then lets its connection go), and leaves no descriptor open', () => {
    const before = openFds();
    expect(() => outputStream(['printf', 'x'], { fifoDir: '/nonexistent/failguard' })).toThrow(/ENOENT/);
    expect(openFds()).toEqual(before);
  });

  it('removes at start only the FIFO folders a killed agent left, nothing else of its state folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-gathered-'));
    for (const name of ['send-a1B2c3', 'send-Zz9yX8', 'send-toolongname', 'state.json', 'sender', 'send-']) mkdirSync(join(dir, name));
    removeLeftoverFifoDirs(dir);
    expect(readdirSync(dir).sort()).toEqual(['send-', 'send-toolongname', 'sender', 'state.json']);
  });

  it('fails with the command\'s SIGPIPE when its reader goes away mid-stream, and closes the FIFO', async () => {
    const g = outputStream(['yes']);
    await new Promise<void>((r) => g.stdout.once('data', () => r()));
    g.stdout.destroy();
    expect(await g.exited).toBe(128 + 13);
    expect(openFds().filter((l) => l.includes('/send-'))).toEqual([]);
  });

  it('passes hostile arguments to the command as they are: the shell between expands none of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-gathered-'));
    const flag = join(dir, 'ran');
    const hostile = [`$(touch ${flag})`, `\`touch ${flag}\``, `a; touch ${flag}`, `a && touch ${flag}`, `| touch ${flag}`, '"', "'", 'two\nlines', '$@', '*', '-p', '--', ''];
    const g = outputStream(['printf', '[%s]\\n', ...hostile]);
    const out = Buffer.concat(await chunksOf(g.stdout)).toString();
    expect(await g.exited).toBe(0);
    expect(out).toBe(hostile.map((h) => `[${h}]\n`).join(''));
    expect(existsSync(flag)).toBe(false);
  });

  it('kill lets the output go even when nothing read it: the FIFO\'s read end is closed', async () => {
    const g = outputStream(writer(200_000, 1000, 1000));
    const fds = () => openFds().filter((l) => l.includes('/send-'));
    expect(fds()).toHaveLength(1);
    g.kill();
    expect(await g.exited).toBe(-1);
    expect(g.stdout.destroyed).toBe(true);
    expect(fds()).toEqual([]);
  });

  it('kill ends the command itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-gathered-'));
    const pidFile = join(dir, 'pid');
    const g = outputStream(['sh', '-c', `echo $$ > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; exec sleep 60`]);
    g.stdout.resume();
    for (let i = 0; i < 250 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 20));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(1);
    expect(() => process.kill(pid, 0)).not.toThrow();
    g.kill();
    expect(await g.exited).toBe(-1);
    // Killed at once; reaped a moment later (a zombie still answers signal 0).
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(isAlive(pid)).toBe(false);
  });

  it('runs an incremental send\'s command ungathered, read as it writes, with the same exit codes and kill', async () => {
    const g = outputStream(writer(2_000, 300, 20), { gather: false });
    const chunks = await chunksOf(g.stdout);
    expect(await g.exited).toBe(0);
    expect(Buffer.concat(chunks).equals(expected(2_000, 300))).toBe(true);
    // 100 bursts a millisecond apart, each read when written: not held for a block.
    expect(chunks.length).toBeGreaterThan(Math.ceil(600_000 / BLOCK_BYTES));
    const failing = outputStream(['sh', '-c', 'exit 4'], { gather: false });
    await chunksOf(failing.stdout);
    expect(await failing.exited).toBe(4);
    const slow = outputStream(['sleep', '60'], { gather: false });
    slow.stdout.resume();
    slow.kill();
    expect(await slow.exited).toBe(-1);
  });
});
