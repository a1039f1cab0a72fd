/**
 * How much data a send from `parent` to what this host serves now would carry, without sending
 * it: a read-only snapshot of the data is taken aside, `btrfs send --no-data -p parent` lists what
 * changed with each file extent's size instead of its bytes (UPDATE_EXTENT commands), and those
 * sizes are summed; the snapshot is deleted after. The failback's preview: what travels back.
 */
import { spawn } from 'node:child_process';
import { posix } from 'node:path';
import type { AgentConfig } from './config.ts';
import { deleteSubvolume, run } from './btrfs.ts';
import { parsePoint } from '../../shared/points.ts';
import { UserError } from '../../shared/errors.ts';
import { receivedPoints } from './receiver.ts';
import { A_SIZE, C_UPDATE_EXTENT, SendStreamReader, eachAttr } from './send-stream.ts';

/** The data bytes a version-1 `--no-data` stream says would be written (its UPDATE_EXTENT sizes), read as it comes. */
export class ExtentCounter {
  bytes = 0;
  commands = 0;
  readonly #reader = new SendStreamReader((cmd, attrs) => {
    this.commands++;
    if (cmd === C_UPDATE_EXTENT) eachAttr(attrs, (type, v) => { if (type === A_SIZE && v.length === 8) this.bytes += Number(v.readBigUInt64LE(0)); });
  }, { anyVersion: true });

  push(chunk: Buffer): void {
    this.#reader.push(chunk);
  }
}

/** What a send from `parent` (a point this host holds) to its data now would carry. */
export async function changedSince(c: AgentConfig, parent: string): Promise<{ parent: string; bytes: number }> {
  if (!parsePoint(parent)) throw new UserError('bad-input', `${JSON.stringify(parent)} is not a point's name.`);
  const held = await receivedPoints(c.receiveDir, false);
  const dir = held.includes(parent) ? c.receiveDir : c.pointsDir;
  const parentPath = posix.join(dir, parent);
  if (!held.includes(parent) && !(await receivedPoints(c.pointsDir, false)).includes(parent)) {
    throw new UserError('no-common-point', `${c.host} no longer holds ${parent}, so what changed since it cannot be measured.`);
  }
  // One left by a measurement cut short (its SSH command timed out) goes first.
  for (const old of (await run(['ls', '-1', posix.dirname(c.receiveDir)])).split('\n').filter((n) => /^estimate-\d+$/.test(n))) await deleteSubvolume(posix.join(posix.dirname(c.receiveDir), old)).catch(() => undefined);
  const aside = posix.join(posix.dirname(c.receiveDir), `estimate-${Date.now()}`);
  await run(['btrfs', 'subvolume', 'snapshot', '-r', c.subvolume, aside]);
  try {
    const counter = new ExtentCounter();
    await new Promise<void>((resolve, reject) => {
      const p = spawn('btrfs', ['send', '-q', '--no-data', '-p', parentPath, aside], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      p.stdout.on('data', (d: Buffer) => { try { counter.push(d); } catch (e) { p.kill(); reject(e as Error); } });
      p.stderr.on('data', (d: Buffer) => (err += d));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve() : reject(new UserError('agent-command', `btrfs send --no-data failed (exit ${code}): ${err.trim().split('\n').at(-1) ?? ''}`))));
    });
    return { parent, bytes: counter.bytes };
  } finally {
    await deleteSubvolume(aside).catch(() => undefined);
  }
}
