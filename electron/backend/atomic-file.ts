/**
 * The one way this computer's own files (jobs, their history, secrets, pinned host keys, rehearsal
 * reports and slots) are replaced: written whole under a name of their own, then renamed into
 * place, so a reader sees the old file or the new one, never a torn one, and two writers never
 * share a temporary file. `durable` adds fsync of the file and its folder, for what a power cut
 * must not take (the secret store: a lost CA key would re-key every agent).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

const tmpOf = (file: string) => `${file}.${randomBytes(4).toString('hex')}.tmp`;

export async function writeFileAtomic(file: string, body: string, o: { durable?: boolean } = {}): Promise<void> {
  const tmp = tmpOf(file);
  try {
    const f = await open(tmp, 'wx', 0o600);
    try {
      await f.writeFile(body);
      if (o.durable) await f.sync();
    } finally {
      await f.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  if (o.durable) {
    const d = await open(dirname(file), 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }
}

export function writeFileAtomicSync(file: string, body: string): void {
  const tmp = tmpOf(file);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      // Written whole (writeFileSync loops over short writes, a single writeSync need not).
      writeFileSync(fd, body);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
