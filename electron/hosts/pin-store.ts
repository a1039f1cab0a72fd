/** Host-key pins kept in a file (the CLI's --pins; the job file of the next feature): read, and grown by the keys the user accepted. */
import { readFile } from 'node:fs/promises';
import type { HostKeyPin } from '../../shared/hosts.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../backend/atomic-file.ts';

const isPin = (x: unknown): x is HostKeyPin => {
  const p = x as Record<string, unknown> | null;
  return !!p && typeof p.host === 'string' && typeof p.port === 'number' && typeof p.algorithm === 'string' && typeof p.fingerprint === 'string' && p.fingerprint.startsWith('SHA256:');
};

/** A missing file is no pins yet; a file that is not a list of pins is refused (and never overwritten). */
export async function readPins(file: string): Promise<HostKeyPin[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return [];
    throw new UserError('bad-input', `The pins file cannot be read: ${plainMessage(e)}`, { field: 'pins' });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError('bad-input', `${file} is not a pins file (it is not valid JSON); fix or remove it. It was left as it is.`, { field: 'pins' });
  }
  if (!Array.isArray(data) || !data.every(isPin)) throw new UserError('bad-input', `${file} is not a pins file (expected a list of host, port, algorithm and SHA256 fingerprint); fix or remove it. It was left as it is.`, { field: 'pins' });
  return data;
}

/** Adds the keys seen on this run that the user accepted; replaces nothing already pinned. Written whole, then renamed into place. */
export async function addAcceptedPins(file: string, pins: readonly HostKeyPin[], seen: ReadonlyArray<{ address: string; port?: number; fingerprint: string }>, accepted: readonly string[]): Promise<number> {
  // Recorded with the port the key was seen on: a host's SSH on another port is another pin.
  const added = seen.filter((h) => accepted.includes(h.fingerprint) && !pins.some((p) => p.host === h.address && p.port === (h.port ?? 22)))
    .map((h) => ({ host: h.address, port: h.port ?? 22, algorithm: 'ssh', fingerprint: h.fingerprint }));
  if (!added.length) return 0;
  await writeFileAtomic(file, `${JSON.stringify([...pins, ...added], null, 2)}\n`);
  return added.length;
}
