/** The connections a plan run works through: hosts of the run by name over the SSH pool, the directory opened on first use. */
import type { HostTarget } from '../../shared/hosts.ts';
import type { PreflightRequest } from '../../shared/preflight.ts';
import { UserError } from '../../shared/errors.ts';
import type { SshPool } from '../hosts/ssh-pool.ts';
import { openSession, type LdapSession } from '../directory/ldap-session.ts';
import { readRootDse } from '../directory/exchange-reader.ts';
import type { PlanContext } from './executors.ts';

export function planContext(o: { hosts: HostTarget[]; pool: SshPool; directory?: PreflightRequest['directory']; signal?: AbortSignal; tsigSecrets?: Record<string, string>; secretFiles?: Record<string, string>; secretDigest?: (content: string) => Promise<string> }): PlanContext & { names: string[]; close(): Promise<void> } {
  let session: Promise<{ s: LdapSession; baseDn: string }> | null = null;
  let extra: Promise<LdapSession[]> | null = null;
  return {
    names: [...o.hosts.map((h) => h.name), ...(o.directory ? ['directory'] : [])],
    ...(o.signal ? { signal: o.signal } : {}),
    tsigSecret: (name) => o.tsigSecrets?.[name],
    secretContent: (name) => o.secretFiles?.[name],
    ...(o.secretDigest ? { secretDigest: o.secretDigest } : {}),
    async host(name) {
      const t = o.hosts.find((h) => h.name === name);
      if (!t) throw new UserError('bad-input', `${name} is not one of the servers of this run.`);
      return o.pool.get(t);
    },
    async directory() {
      if (!o.directory) throw new UserError('bad-input', 'This step writes to the directory, and no directory was given.');
      const d = o.directory;
      session ??= openSession(d).then(async (s) => ({ s, baseDn: (await readRootDse(s.client)).defaultNamingContext }));
      session.catch(() => { session = null; });
      const { s, baseDn } = await session;
      return { client: s.client, baseDn };
    },
    async directoryClients(n) {
      // The run's own connection plus n - 1 more, opened once and kept for the run.
      const first = (await this.directory()).client;
      extra ??= Promise.all(Array.from({ length: Math.max(0, n - 1) }, () => openSession(o.directory!)));
      extra.catch(() => { extra = null; });
      return [first, ...(await extra).map((s) => s.client)];
    },
    async close() {
      await (await session?.catch(() => null))?.s.close();
      for (const s of (await extra?.catch(() => null)) ?? []) await s.close();
    },
  };
}
