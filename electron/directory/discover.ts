/** Discovery end to end: find a DC, sign in over TLS, read the rootDSE and the Exchange organisation. */
import type { DiscoverRequest } from '../../shared/directory.ts';
import { validateDiscoverInput } from '../../shared/directory.ts';
import type { Topology } from '../../shared/topology.ts';
import { UserError } from '../../shared/errors.ts';
import { openSession } from './ldap-session.ts';
import { readOrganisation, readRootDse } from './exchange-reader.ts';

export interface DiscoverOptions {
  signal?: AbortSignal;
  onProgress?: (stage: string, done: number, total: number | null) => void;
}

export async function discover(req: Omit<DiscoverRequest, 'operationId'>, o: DiscoverOptions = {}): Promise<Topology> {
  const problems = validateDiscoverInput(req.target, req.credentials);
  if (problems.length) throw new UserError('bad-input', problems[0]!.message, { field: problems[0]!.field, details: problems });
  const session = await openSession({ ...req, signal: o.signal, onStage: (s) => o.onProgress?.(s, 0, null) });
  const abort = () => void session.close();
  o.signal?.addEventListener('abort', abort, { once: true });
  try {
    const dir = await readRootDse(session.client);
    dir.dcHost = dir.dcHost || session.dc.host;
    return await readOrganisation(session.client, dir, { signal: o.signal, onStage: o.onProgress });
  } catch (e) {
    if (o.signal?.aborted) throw new UserError('cancelled', 'The discovery was cancelled.');
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', abort);
    await session.close();
  }
}
