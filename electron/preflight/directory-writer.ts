/** The directory side of fixes: an LDAPS session as the pre-flight account, writing DNS records. */
import type { DirectoryCredentials, DirectoryTarget, DirectoryTrust } from '../../shared/directory.ts';
import { openSession } from '../directory/ldap-session.ts';
import { readRootDse } from '../directory/exchange-reader.ts';
import { clearDnsRecords, setDnsRecord } from '../directory/dns-write.ts';
import type { DirectoryWriter } from './apply-fix.ts';

export async function directoryWriterFor(d: { target: DirectoryTarget; credentials: DirectoryCredentials; trust?: DirectoryTrust }): Promise<DirectoryWriter & { close(): Promise<void> }> {
  let session: Awaited<ReturnType<typeof openSession>> | null = null;
  let baseDn = '';
  const client = async () => {
    if (!session) {
      session = await openSession(d);
      baseDn = (await readRootDse(session.client)).defaultNamingContext;
    }
    return session.client;
  };
  return {
    async setRecord(s) {
      await setDnsRecord(await client(), baseDn, s.zone, s.name, s.type, s.value);
    },
    async restore(s) {
      const c = await client();
      if (s.previous.length) {
        for (const p of s.previous.slice(0, 1)) await setDnsRecord(c, baseDn, s.zone, s.name, s.type, p);
      } else await clearDnsRecords(c, baseDn, s.zone, s.name, s.type);
    },
    close: async () => { await session?.close(); },
  };
}
