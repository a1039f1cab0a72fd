/**
 * The one way a host's name becomes part of a file name on this computer (`hosts/<name>/`,
 * `pki/agent-<name>.key`): the name of a server in a job, lower-cased. Anything else (a `/`, a
 * `..`, a quote) is refused here even though the job's schema already refuses it, so no caller
 * can write outside the job's folder with a name that came another way.
 */
import { UserError } from '../../shared/errors.ts';
import { serverName } from '../../shared/failover-options.ts';

export function hostFileName(name: string): string {
  if (!serverName.safeParse(name).success || name.includes('..')) throw new UserError('bad-input', `"${name}" cannot name a host's files (letters, digits, - _ and . only); give the server a plain name in the job.`, { field: 'name' });
  return name.toLowerCase();
}
