/**
 * Digests of secrets for plans: a plan must change when a secret does, yet neither the plan
 * nor the journal may let anyone test a guess against it. So the plan holds an HMAC under the
 * job's own digest key (random, kept with the job's other keys in the encrypted store), never a
 * plain hash of the secret.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { JobKeys } from '../jobs/job-keys.ts';

const NAME = 'pki/secret-digest.key';

export async function secretDigest(keys: JobKeys, content: string): Promise<string> {
  let k = keys.get(NAME);
  if (k === null) await keys.set(NAME, (k = randomBytes(32).toString('base64')));
  return createHmac('sha256', Buffer.from(k, 'base64')).update(content).digest('hex');
}

/** The plain SHA-256 and size of a text, for comparing with what a host has now (kept in memory only). */
export function sha256Text(text: string): { sha256: string; size: number } {
  return { sha256: createHash('sha256').update(text).digest('hex'), size: Buffer.byteLength(text) };
}
