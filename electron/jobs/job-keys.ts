/**
 * A job's private material: its CA key, each agent's key, the lease key that seals the
 * directory account, and the key of the plans' secret digests. It is kept only in the
 * encrypted store (secret-store.ts: wrapped by the OS keychain, or by the key file the person
 * supplies), never in the data folder in the clear: a backup or a roaming copy of that folder
 * yields no key and, through none, no password (docs/THREAT-MODEL.md).
 *
 * Jobs protected before this kept these keys as files under `jobs/<id>/pki`, in the clear, so
 * any backup of that time holds them: they are not carried over but replaced. The first
 * protection after deletes them and the staged copies that held secrets, and issues a new CA,
 * new agent keys and a new lease key (its plan shows each host's new certificate).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../shared/errors.ts';
import type { SecretStore } from './secret-store.ts';

export interface JobKeys {
  /** The job this material belongs to. */
  readonly jobId: string;
  get(name: string): string | null;
  set(name: string, value: string): Promise<void>;
}

const KEPT_ENCRYPTED = 'Protecting a job keeps its private keys (the job\'s CA, each agent\'s key, the key that seals the directory account) encrypted on this computer';

/** The sentence when no store is open: nothing is protected with keys left in the clear. */
export const NO_KEY_STORE = `${KEPT_ENCRYPTED}, and no key to encrypt them with was given: start Failguard with --secret-key-file FILE or set FAILGUARD_SECRET_KEY_FILE (make one with: head -c 32 /dev/urandom > FILE; chmod 600 FILE). Nothing was changed.`;
/** The desktop app's sentence when the system has no keychain. */
export const NO_KEYCHAIN = `${KEPT_ENCRYPTED}, and this system offers no keychain to encrypt them with; sign in to a desktop session with a keyring (GNOME Keyring, KWallet) and start Failguard again. Nothing was changed.`;

/** Names under which a job's keys are kept (entry names, bound into each entry's sealing). */
const entry = (jobId: string, name: string) => `job/${jobId}/keys/${name}`;

/** The job's keys in `store`; null store: refused with `refusal` (NO_KEY_STORE by default). */
export function jobKeysIn(store: SecretStore | null, jobId: string, refusal = NO_KEY_STORE): JobKeys {
  if (!store) throw new UserError('no-key-store', refusal);
  return {
    jobId,
    get: (name) => store.get(entry(jobId, name)),
    set: (name, value) => store.set({ [entry(jobId, name)]: value }),
  };
}

/** Files of an earlier version that held secrets in the clear, in `jobs/<id>/pki`. */
const LEGACY_KEYS = /^(ca|agent-[^/]+|lease|secret-digest)\.key$/;

/**
 * Deletes the keys an earlier version left in `<base>/pki` and the staged files that held secrets
 * (`hosts/<h>/agent.json` of a witness held the lease key; `hosts/<h>/directory.sealed` opens with
 * it). Their certificates go too, so that nothing is issued under a CA whose key was in the clear.
 * Returns the key files deleted.
 */
export async function discardLegacyKeys(base: string, list: (dir: string) => Promise<string[]>): Promise<string[]> {
  const pki = join(base, 'pki');
  const keys = (await list(pki)).filter((n) => LEGACY_KEYS.test(n));
  for (const f of keys) {
    await rm(join(pki, f), { force: true });
    await rm(join(pki, f.replace(/\.key$/, '.pem')), { force: true });
  }
  for (const h of await list(join(base, 'hosts'))) {
    for (const f of ['agent.json', 'directory.sealed']) await rm(join(base, 'hosts', h, f), { force: true });
  }
  return keys;
}
