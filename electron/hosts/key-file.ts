/** Checks an SSH key file before any work: it must exist and be a private key ssh2 can use (with its passphrase, when it has one). */
import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { SshAuth } from '../../shared/hosts.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';

export async function checkKeyFile(auth: Extract<SshAuth, { kind: 'key' }>, field = 'keyFile'): Promise<void> {
  let data: Buffer;
  try {
    data = await readFile(auth.keyFile);
  } catch (e) {
    throw new UserError('bad-input', `The SSH key file cannot be read: ${plainMessage(e)}`, { field });
  }
  const parsed = ssh2.utils.parseKey(data, auth.passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) {
    const why = key instanceof Error ? plainMessage(key) : 'The SSH key file holds no key.';
    throw new UserError('bad-input', `${auth.keyFile}: ${why}`, { field });
  }
  if (!key.isPrivateKey()) throw new UserError('bad-input', `${auth.keyFile} is a public key; give the private key (the file without .pub).`, { field });
}
