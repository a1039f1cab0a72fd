/** Files the safety rule relies on, written so that a power loss leaves either the old or the new content whole. */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, rename, writeFile } from 'node:fs/promises';
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
 * The same, off the event loop (a slow disk must not hold up the agent's liveness stamp and heartbeats),
 * through a temporary file of its own (`tmpSuffix`), so a synchronous writer of the same file never shares it.
 */
export async function writeDurablyAsync(file: string, text: string, tmpSuffix: string): Promise<void> {
  const tmp = `${file}.${tmpSuffix}`;
  const f = await open(tmp, 'w', 0o600);
  try {
    await f.writeFile(text);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, file);
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Replaces `file` whole, off the event loop, through a temporary file of its own (a reader sees the old content or the new, never part); not fsynced. */
export async function writeReplacing(file: string, text: string): Promise<void> {
  const tmp = `${file}.async.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, file);
}
