/**
 * A hostile directory organisation, taken the whole way: a server whose `cn` and a mailbox
 * database on MAIL1 and on MAIL2 whose names and paths carry quotes, `$(…)`, backticks, a `;`,
 * a newline and `../`, each trying to create a marker file. Discovery shows them exactly as
 * the directory holds them; pre-flight, protect, a switchover (which re-homes a mailbox from the
 * hostile database on MAIL1 to the one on MAIL2) and failback treat them as data; and no marker
 * appears on any lab host nor on this computer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Attribute, Change, type Client } from 'ldapts';
import { escapeDnValue } from '../../shared/dn.ts';
import { filesUnder, inHost, labStatus, newKeyFile } from './helpers.ts';
import { homedOn, mailboxDbsOf, putLabBack, withDirectory } from './failover-helpers.ts';
import { s } from './preflight-helpers.ts';

const MARK = 'fg-pwned';
/** Every way a value could break out of a shell word, a script or a path, each leaving its own marker in /tmp. */
const hostile = (tag: string) => `zz'"$(touch /tmp/${MARK}-${tag}-a)\`touch /tmp/${MARK}-${tag}-b\`;touch /tmp/${MARK}-${tag}-c\n../../${tag}`;
const EVIL_SERVER = hostile('server');
const EVIL_DB = { MAIL1: hostile('db1'), MAIL2: hostile('db2') } as const;
const pathOf = (name: string) => `C:\\Exchange\\'$(touch /tmp/${MARK}-path)\\..\\${name}`;

const dir = mkdtempSync(join(tmpdir(), 'fg-hostile-'));
const jobFile = join(dir, 'hostile.job.json');
const env = { ...process.env, FAILGUARD_DATA_DIR: join(dir, 'data') };
const storeKey = newKeyFile();
const password = readFileSync(s.directory.passwordFile, 'utf8').trim();
const directoryArgs = ['--dc', 'ldaps://dc1.lab.test', '--dns', s.directory.dnsServer, '--user', s.directory.bindDn, '--password-stdin', '--ca', s.directory.caFile];
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/failguard.js', ...args, ...(['protect', 'failover', 'failback'].includes(args[0]!) ? ['--secret-key-file', storeKey] : [])],
  { encoding: 'utf8', env, timeout: 400_000, input: args.includes('--password-stdin') ? `${password}\n` : '' });
const key = s.hosts[0]!.keyFile;
/** A user homed on MAIL1's hostile database for the test, and where it lived before. */
const USER_DN = 'CN=user000490,OU=Mailboxes,DC=lab,DC=test';
let userWasOn = '';
const dbDn: Record<string, string> = {};
let serverDn = '';

const configOf = async (c: Client, server: string) => (await c.search('CN=Configuration,DC=lab,DC=test', { filter: `(&(objectClass=msExchExchangeServer)(cn=${server}))`, attributes: ['legacyExchangeDN'] })).searchEntries[0]!;

/** The hostile objects gone and the user home again: before (a run cut short may have left them) and after. */
async function removeHostile(c: Client): Promise<void> {
  const found = await c.search('CN=Configuration,DC=lab,DC=test', { filter: '(cn=zz*)', attributes: ['1.1'] });
  for (const e of found.searchEntries) await c.del(e.dn);
  if (userWasOn) await c.modify(USER_DN, [new Change({ operation: 'replace', modification: new Attribute({ type: 'homeMDB', values: [userWasOn] }) })]);
}

beforeAll(async () => {
  await withDirectory(s, async (c) => {
    const user = (await c.search(USER_DN, { scope: 'base', attributes: ['homeMDB'] })).searchEntries[0]!;
    // A user the lab homes on one of its own databases (a run cut short may have left it on a hostile one).
    userWasOn = String(user.homeMDB).startsWith('CN=zz') ? mailboxDbsOf(s, 'MAIL1')[0]!.dn : user.homeMDB as string;
    await removeHostile(c);
    for (const server of ['MAIL1', 'MAIL2'] as const) {
      const sample = mailboxDbsOf(s, server)[0]!;
      const owner = await configOf(c, server);
      dbDn[server] = `CN=${escapeDnValue(EVIL_DB[server])},${sample.dn.slice(sample.dn.indexOf(',') + 1)}`;
      await c.add(dbDn[server]!, { objectClass: 'msExchPrivateMDB', msExchOwningServer: owner.dn, msExchMasterServerOrAvailabilityGroup: owner.dn,
        msExchEDBFile: `${pathOf(EVIL_DB[server])}.edb`, msExchESEParamLogFilePath: pathOf('logs'), msExchESEParamSystemPath: pathOf('system'), msExchESEParamBaseName: 'E0"$(x)',
        legacyExchangeDN: `${owner.legacyExchangeDN as string}/cn=Microsoft Private MDB`});
    }
    const mail1 = await configOf(c, 'MAIL1');
    serverDn = `CN=${escapeDnValue(EVIL_SERVER)},${mail1.dn.slice(mail1.dn.indexOf(',') + 1)}`;
    await c.add(serverDn, { objectClass: 'msExchExchangeServer', serialNumber: 'Version 14.3 (Build 123.4)', versionNumber: '1937801568', msExchCurrentServerRoles: '2',
      legacyExchangeDN: `/o=Failguard Lab/ou=x/cn=Servers/cn=${EVIL_SERVER}`, networkAddress: [`netbios:${EVIL_SERVER}`, `ncacn_ip_tcp:${EVIL_SERVER}.lab.test`], dNSHostName: `${EVIL_SERVER}.lab.test` });
    await c.modify(USER_DN, [new Change({ operation: 'replace', modification: new Attribute({ type: 'homeMDB', values: [dbDn.MAIL1!] }) })]);
  });
  writeFileSync(jobFile, JSON.stringify({
    version: 1, id: '6e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b', name: 'Hostile organisation',
    source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key }, targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key }],
    witness: { name: 'witness', address: '198.18.0.13', sshKeyFile: key },
    failover: { mode: 'alert', timeoutSeconds: 10, profile: 'fast', dns: [{ zone: 'lab.test', name: 'mail' }] },
    hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
  }, null, 2));
}, 120_000);

afterAll(async () => {
  try {
    await withDirectory(s, removeHostile);
  } finally {
    await putLabBack('fg-hostile');
  }
}, 300_000);

/** Marker files anywhere a command could have run: every lab host's /tmp and this computer's. */
function markers(): string[] {
  const here = readdirSync('/tmp').filter((f) => f.startsWith(MARK)).map((f) => `here:/tmp/${f}`);
  const hosts = labStatus().hosts.flatMap((h) => inHost(labStatus(), h.name, `ls -1 /tmp 2>/dev/null | grep '^${MARK}' || true`).stdout.split('\n').filter(Boolean).map((f) => `${h.name}:/tmp/${f}`));
  return [...here, ...hosts];
}

describe('a hostile directory organisation', () => {
  it('the marker search finds a marker wherever one is (so it can fail)', () => {
    inHost(labStatus(), 'mail2', `touch /tmp/${MARK}-selfcheck`);
    expect(markers()).toContain(`mail2:/tmp/${MARK}-selfcheck`);
    inHost(labStatus(), 'mail2', `rm -f /tmp/${MARK}-selfcheck`);
    expect(markers()).toEqual([]);
  });

  it('discovery shows the hostile server and databases exactly as the directory holds them', () => {
    const r = cli('discover', ...directoryArgs, '--json');
    expect(r.status, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout) as { servers: Array<{ name: string }>; databases: Array<{ name: string; server: string | null; edbFile: string | null; logFolder: string | null }> };
    expect(t.servers.filter((x) => x.name === EVIL_SERVER)).toHaveLength(1);
    for (const server of ['MAIL1', 'MAIL2'] as const) {
      expect(t.databases.find((d) => d.name === EVIL_DB[server])).toMatchObject({ server, edbFile: `${pathOf(EVIL_DB[server])}.edb`, logFolder: pathOf('logs') });
    }
    expect(markers()).toEqual([]);
  });

  it('pre-flight runs every rule over them and runs nothing they carry', () => {
    const fps = s.hosts.flatMap((h) => ['--accept-host-key', h.hostKeyFingerprint!]);
    // Found through the domain, as a person would: the servers' names resolve in it.
    const viaDomain = ['--domain', 'lab.test', ...directoryArgs.slice(2)];
    const r = cli('preflight', '--source', 'mail1', '--target', 'mail2', '--witness', 'witness', ...viaDomain, '--ssh-key', key, ...fps, '--json');
    expect([0, 1, 2], r.stderr).toContain(r.status);
    const report = JSON.parse(r.stdout) as { findings: Array<{ ruleId: string; outcome: string }> };
    expect(new Set(report.findings.map((f) => f.ruleId)).size).toBeGreaterThanOrEqual(60);
    expect(markers()).toEqual([]);
  }, 300_000);

  it('protect, a switchover and failback move the mailbox between the hostile databases as data, and nothing they carry runs', async () => {
    const p = cli('protect', '--job', jobFile, '--yes', ...directoryArgs);
    expect(p.status, p.stdout + p.stderr).toBe(0);
    const over = cli('failover', '--job', jobFile, '--planned', '--yes', ...directoryArgs);
    expect(over.status, over.stdout + over.stderr).toBe(0);
    expect(await homedOn(s, dbDn.MAIL2!)).toBe(1);
    expect(await homedOn(s, dbDn.MAIL1!)).toBe(0);
    const back = cli('failback', '--job', jobFile, '--yes', ...directoryArgs);
    expect(back.status, back.stdout + back.stderr).toBe(0);
    expect(await homedOn(s, dbDn.MAIL1!)).toBe(1);
    expect(await homedOn(s, dbDn.MAIL2!)).toBe(0);
    // Nothing on this computer or in Failguard's folders on the hosts is named after them (a `../` followed would show here).
    const local = filesUnder(join(dir, 'data'));
    expect(local.length).toBeGreaterThan(5);
    expect(local.filter((f) => /zz|pwned|db[12]|server/.test(f.slice(dir.length)))).toEqual([]);
    for (const h of ['mail1', 'mail2', 'witness']) {
      expect(inHost(labStatus(), h, 'find /etc/failguard /var/lib/failguard /opt/failguard /srv /tmp -xdev \\( -name "*zz*" -o -name "*pwned*" -o -name db1 -o -name db2 -o -name server \\) -print 2>/dev/null').stdout, h).toBe('');
    }
    expect(markers()).toEqual([]);
  }, 600_000);
});
