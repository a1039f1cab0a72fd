/**
 * The directory account a target needs for an automatic failover (DNS, mailbox homes), kept
 * on the target sealed with AES-256-GCM under a key that only the witness holds and hands out
 * with the lease: the target's disk alone never reveals it. The IV is derived from the key and
 * the content (synthetic IV), so sealing the same account again gives the same bytes and an
 * unchanged job gives an unchanged provisioning plan.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { UserError } from '../../shared/errors.ts';

export const newLeaseKey = (): string => randomBytes(32).toString('base64');

export function sealAccess(keyB64: string, value: unknown): string {
  const key = Buffer.from(keyB64, 'base64');
  const plain = Buffer.from(JSON.stringify(value), 'utf8');
  const iv = createHmac('sha256', key).update(plain).digest().subarray(0, 12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return JSON.stringify({ v: 1, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), body: body.toString('base64') });
}

export function openAccess<T>(keyB64: string, sealed: string): T {
  try {
    const s = JSON.parse(sealed) as { iv: string; tag: string; body: string };
    const d = createDecipheriv('aes-256-gcm', Buffer.from(keyB64, 'base64'), Buffer.from(s.iv, 'base64'));
    d.setAuthTag(Buffer.from(s.tag, 'base64'));
    return JSON.parse(Buffer.concat([d.update(Buffer.from(s.body, 'base64')), d.final()]).toString('utf8')) as T;
  } catch {
    throw new UserError('sealed-access', 'The directory account kept for automatic failover cannot be opened with the witness\'s key; provision the job again.');
  }
}
