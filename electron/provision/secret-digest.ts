/**
 * Digests of secrets for plans: a plan must change when a secret does, yet neither the plan
 * nor the journal may let anyone test a guess against it. So the plan holds an HMAC under the
 * job's own digest key (random, kept beside its CA, 0600), never a plain hash of the secret.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function secretDigest(pkiDir: string, content: string): Promise<string> {
  const f = join(pkiDir, 'secret-digest.key');
  if (!existsSync(f)) {
    await mkdir(pkiDir, { recursive: true, mode: 0o700 });
    await writeFile(f, randomBytes(32), { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
  }
  return createHmac('sha256', readFileSync(f)).update(content).digest('hex');
}

/** The plain SHA-256 and size of a text, for comparing with what a host has now (kept in memory only). */
export function sha256Text(text: string): { sha256: string; size: number } {
  return { sha256: createHash('sha256').update(text).digest('hex'), size: Buffer.byteLength(text) };
}
