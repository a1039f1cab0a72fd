/** Around failover tests on the lab: the directory as a test reads it, and the lab put back as it was before a failover. */
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client, EqualityFilter } from 'ldapts';
import { setDnsRecord } from '../../electron/directory/dns-write.ts';
import { replaceRRset } from '../../electron/directory/dns-update.ts';
import { fqdnOf } from '../../shared/dns-record.ts';
import { inHost, lab, labStatus, resetProtection, type LabStatus } from './helpers.ts';

export interface LabDatabase { dn: string; name: string; server: string; kind: string; mailboxes: number }

export const labOrg = (s: LabStatus) => JSON.parse(readFileSync(s.org.file, 'utf8')) as { databases: LabDatabase[] };
export const mailboxDbsOf = (s: LabStatus, server: string) => labOrg(s).databases.filter((d) => d.server === server && d.kind === 'mailbox').sort((a, b) => a.name.localeCompare(b.name));

export async function withDirectory<T>(s: LabStatus, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ url: 'ldaps://198.18.0.10', tlsOptions: { ca: readFileSync(s.directory.caFile), servername: 'dc1.lab.test' } });
  await c.bind(s.directory.bindDn, readFileSync(s.directory.passwordFile, 'utf8').trim());
  try {
    return await fn(c);
  } finally {
    await c.unbind();
  }
}

export const homedOn = (s: LabStatus, db: string) => withDirectory(s, async (c) =>
  (await c.search('DC=lab,DC=test', { filter: new EqualityFilter({ attribute: 'homeMDB', value: db }), attributes: ['1.1'], paged: true })).searchEntries.length);

/** Every mailbox homed on a database of `from` moved back to the same-ranked database of `to`, as the lab had them. */
async function homesBack(s: LabStatus, c: Client, from: string, to: string): Promise<void> {
  const legacy = (await c.search('CN=Configuration,DC=lab,DC=test', { filter: `(&(objectClass=msExchExchangeServer)(cn=${to}))`, attributes: ['legacyExchangeDN'] })).searchEntries[0]!.legacyExchangeDN as string;
  const [src, dst] = [mailboxDbsOf(s, from), mailboxDbsOf(s, to)];
  for (const [i, f] of src.entries()) {
    for (const e of (await c.search('DC=lab,DC=test', { filter: new EqualityFilter({ attribute: 'homeMDB', value: f.dn }), attributes: ['1.1'], paged: true })).searchEntries) {
      await c.modify(e.dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'homeMDB', values: [dst[i]!.dn] }) }),
        new Change({ operation: 'replace', modification: new Attribute({ type: 'msExchHomeServerName', values: [legacy] }) })]);
    }
  }
}

/** The lab as before any failover: mail1 up and serving, mail.lab.test → mail1, homes on MAIL1, Failguard gone from the hosts. */
export async function putLabBack(testDir: string): Promise<void> {
  // Whatever a fault case left: a frozen or killed MAIL1, cut links, a process holding the agent's port.
  lab('thaw', 'mail1');
  lab('start', 'mail1');
  lab('heal', 'mail1');
  for (const [a, b] of [['mail1', 'mail2'], ['mail1', 'mail3'], ['mail1', 'witness'], ['mail2', 'witness'], ['mail3', 'witness']] as const) lab('heal', a, b);
  const s = labStatus();
  inHost(s, 'mail1', 'pkill -f fg-port-holder; true');
  await withDirectory(s, async (c) => {
    await setDnsRecord(c, 'DC=lab,DC=test', 'lab.test', 'mail', 'A', '198.18.0.11');
    await setDnsRecord(c, 'DC=lab,DC=test', 'lab.test', '@', 'MX', '10 mail.lab.test');
    await homesBack(s, c, 'MAIL2', 'MAIL1');
    await homesBack(s, c, 'MAIL3', 'MAIL1');
  });
  await externalDnsBack(s);
  const agent = '/opt/failguard/bin/node /opt/failguard/agent.mjs';
  for (const h of ['mail2', 'mail3']) inHost(s, h, `[ -x /opt/failguard/agentd ] && { /opt/failguard/agentd stop; ${agent} unserve /etc/failguard/agent.json; ${agent} unpromote /etc/failguard/agent.json; } >/dev/null 2>&1; true`);
  resetProtection(s, ['mail1', 'mail2', 'mail3', 'witness'], testDir);
  // Daemons started here write to files, never to this command's pipes (which they would hold open).
  inHost(s, 'mail1', 'pidof dovecot >/dev/null || dovecot >/dev/null 2>&1; postfix status >/dev/null 2>&1 || postfix start >/dev/null 2>&1; true');
  for (const h of ['mail2', 'mail3']) inHost(s, h, 'postfix stop >/dev/null 2>&1; doveadm stop >/dev/null 2>&1; true');
}

/** The lab's public zone on BIND (example.test) as the lab made it: every name pointing at MAIL1. */
export async function externalDnsBack(s: LabStatus): Promise<void> {
  const d = s.receivers.dns;
  const key = { name: d.key, algorithm: 'hmac-sha256' as const, secret: (JSON.parse(readFileSync(d.secrets, 'utf8')) as Record<string, string>)[d.key]! };
  const server = { address: d.address, port: d.port };
  for (const [name, type, value] of EXTERNAL_RECORDS) await replaceRRset(server, key, d.zone, fqdnOf(d.zone, name), type, [value], 300);
}

/** The records of example.test that a failover repoints, as the lab made them. */
export const EXTERNAL_RECORDS: ReadonlyArray<[string, 'A' | 'MX' | 'CNAME' | 'SRV', string]> = [
  ['mail', 'A', '198.18.0.11'], ['@', 'MX', '10 mail1.lab.test'], ['webmail', 'CNAME', 'mail1.lab.test'], ['_submission._tcp', 'SRV', '0 100 587 mail1.lab.test'],
];
