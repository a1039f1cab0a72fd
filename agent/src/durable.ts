/** Files replaced whole (a reader sees the old content or the new), and those the safety rule relies on written so that a power loss leaves either whole too. */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `text` to `file` so that a power loss leaves either the old or the new content. */
export function writeDurably(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * Replaces `file` whole, off the event loop (a slow disk must not hold up the agent's liveness stamp,
 * heartbeats and streams), through a temporary file of its own (`tmpSuffix`), so a synchronous writer
 * of the same file never shares it. `fsync`: as writeDurably, so a power loss leaves the old content
 * or the new. `wanted`: asked just before the rename; false (a newer write came meanwhile) leaves the
 * file as it is and the temporary one removed.
 */
export async function replaceFileAsync(file: string, text: string, o: { tmpSuffix: string; fsync: boolean; wanted?: () => boolean }): Promise<void> {
  const tmp = `${file}.${o.tmpSuffix}`;
  const f = await open(tmp, 'w', 0o600);
  try {
    await f.writeFile(text);
    if (o.fsync) await f.sync();
  } finally {
    await f.close();
  }
  if (o.wanted && !o.wanted()) return void (await rm(tmp, { force: true }));
  await rename(tmp, file);
  if (!o.fsync) return;
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
