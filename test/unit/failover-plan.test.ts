/** The failover plan made from a job and a topology, the directory account sealed for the target, and the source's fence. */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { counterparts, failoverPlan } from '../../electron/failover/plan.ts';
import { newLeaseKey, openAccess, sealAccess } from '../../electron/directory/sealed-access.ts';
import { SourceFence } from '../../agent/src/monitor/fence.ts';
import { DEFAULT_TIMING } from '../../agent/src/monitor/rules.ts';
import type { Topology, MailboxDatabase } from '../../shared/topology.ts';

const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' },
  targets: [{ name: 'MAIL2', address: '198.18.0.12' }], witness: { name: 'witness', address: '198.18.0.13' },
  failover: { mode: 'automatic', timeoutSeconds: 30, dns: [{ zone: 'lab.test', name: 'mail' }] } }));
const db = (name: string, server: string, kind: MailboxDatabase['kind'] = 'mailbox'): MailboxDatabase => ({ name, dn: `CN=${name},CN=Databases`, kind, server, storageGroup: null, edbFile: null, streamingFile: null, logFolder: null, systemFolder: null, logPrefix: null, dag: null, mailboxes: kind === 'public' ? null : 0 });
const server = (name: string) => ({ name, dn: `CN=${name}`, fqdn: null, adminGroup: 'AG', site: null, version: { product: 'Exchange 2010' as const, major: 14, minor: 3, build: 0, revision: 0, text: 'Version 14.3' }, roles: ['mailbox' as const], dag: null, legacyExchangeDN: `/o=Lab/ou=AG/cn=Configuration/cn=Servers/cn=${name}` });
const topo = (dbs: MailboxDatabase[]): Topology => ({ discoveredAt: '', directory: { dcHost: 'dc1', defaultNamingContext: 'DC=lab,DC=test', configurationNamingContext: '', dnsDomain: 'lab.test' }, organisation: { name: 'Lab', dn: 'CN=Lab', legacyExchangeDN: '/o=Lab' },
  adminGroups: ['AG'], servers: [server('MAIL1'), server('MAIL2')], storageGroups: [], databases: dbs, dags: [] });
const both = topo([db('DB2', 'MAIL1'), db('DB1', 'MAIL1'), db('PF1', 'MAIL1', 'public'), db('DB4', 'MAIL2'), db('DB3', 'MAIL2'), db('PF2', 'MAIL2', 'public')]);

describe('the failover plan', () => {
  it('takes the lease first, then promotes, repoints DNS, re-homes each database to its counterpart, starts the services, and marks the phase', () => {
    const p = failoverPlan(job, both, job.targets[0]!, [{ zone: 'lab.test', name: 'mail', type: 'A', values: ['198.18.0.11'], ttl: 900 }]);
    expect(p.onFailure).toBe('stop');
    expect(p.steps.map((s) => (s.kind === 'command' ? s.command.split(' ')[2] : s.kind))).toEqual(['alert', 'lease', 'promote', 'dns-record', 'rehome', 'rehome', 'rehome', 'serve', 'phase', 'alert']);
    // Paired in name order, public folders with public folders.
    expect(p.steps.flatMap((s) => (s.kind === 'rehome' ? [[s.fromDatabase, s.toDatabase]] : []))).toEqual([['CN=DB1,CN=Databases', 'CN=DB3,CN=Databases'], ['CN=DB2,CN=Databases', 'CN=DB4,CN=Databases'], ['CN=PF1,CN=Databases', 'CN=PF2,CN=Databases']]);
    expect(p.steps[3]).toMatchObject({ kind: 'dns-record', name: 'mail', values: ['198.18.0.12'], previous: ['198.18.0.11'] });
    expect(p.steps.find((s) => s.kind === 'rehome')).toMatchObject({ toServer: '/o=Lab/ou=AG/cn=Configuration/cn=Servers/cn=MAIL2' });
    // The same facts give the same plan (its id is what a person consents to).
    expect(failoverPlan(job, both, job.targets[0]!, [{ zone: 'lab.test', name: 'mail', type: 'A', values: ['198.18.0.11'], ttl: 900 }]).id).toBe(p.id);
  });

  it('follows the counterparts chosen in the job, and refuses in plain words when one is missing', () => {
    const chosen = { ...job, failover: { ...job.failover, databases: { DB1: 'DB4', DB2: 'DB3' } } };
    expect(counterparts(chosen, both, job.targets[0]!).map((x) => `${x.from.name}→${x.to.name}`)).toEqual(['DB1→DB4', 'DB2→DB3', 'PF1→PF2']);
    const fewer = topo([db('DB1', 'MAIL1'), db('DB2', 'MAIL1'), db('DB3', 'MAIL2')]);
    expect(() => counterparts(job, fewer, job.targets[0]!)).toThrow(/MAIL2 has 1 mailbox database\(s\) and MAIL1 has 2; choose the counterpart of DB2/);
    expect(() => counterparts({ ...job, failover: { ...job.failover, databases: { DB1: 'NOPE' } } }, both, job.targets[0]!)).toThrow(/NOPE, chosen as the counterpart of DB1, is not a mailbox database of MAIL2; choose one of DB3, DB4/);
  });

  it('a planned switchover first stops the source\'s services and hands the lease over, then waits for a final point', () => {
    const p = failoverPlan(job, both, job.targets[0]!, [], true);
    expect(p.title).toMatch(/^Switch over MAIL1 → MAIL2/);
    expect(p.steps.slice(1, 4).map((s) => (s.kind === 'command' ? [s.host, s.command.split(' ').slice(2).join(' ')] : []))).toEqual([
      ['MAIL1', 'handover /etc/failguard/agent.json MAIL2'], ['MAIL1', 'final-point /etc/failguard/agent.json'], ['MAIL2', 'lease /etc/failguard/agent.json']]);
  });

  it('is refused without a witness: nothing would prove the source is down', () => {
    expect(() => failoverPlan({ ...job, witness: undefined }, both, job.targets[0]!, [])).toThrow(/no witness/);
  });
});

describe('the directory account sealed for the target', () => {
  const access = { target: { kind: 'url', url: 'ldaps://dc1.lab.test' }, credentials: { username: 'a@lab.test', password: 'Secret-1!' } };
  it('opens only with the witness\'s key, and seals the same account to the same bytes', () => {
    const k = newLeaseKey();
    const sealed = sealAccess(k, access);
    expect(sealed).not.toContain('Secret-1!');
    expect(sealAccess(k, access)).toBe(sealed);
    expect(openAccess(k, sealed)).toEqual(access);
    expect(() => openAccess(newLeaseKey(), sealed)).toThrow(/cannot be opened with the witness's key/);
    const tampered = JSON.parse(sealed) as { body: string };
    tampered.body = Buffer.from(Buffer.from(tampered.body, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64');
    expect(() => openAccess(k, JSON.stringify(tampered))).toThrow(/cannot be opened/);
  });
});

describe('the source\'s fence (no services, clock given)', () => {
  const t = DEFAULT_TIMING;
  const fence = () => new SourceFence('MAIL1', [], true, t, () => undefined);
  const w = (active: string) => ({ active, epoch: active === 'MAIL1' ? 0 : 1 });
  it('starts unconfirmed and serves once the witness names it', async () => {
    const f = fence();
    expect((await f.step(0, false, null)).fence).toBe('unconfirmed');
    expect((await f.step(1000, true, w('MAIL1'))).fence).toBe('serving');
  });
  it('fences after the witness stays silent twice at start', async () => {
    const f = fence();
    await f.step(0, true, null);
    expect((await f.step(1000, true, null)).fence).toBe('fenced');
  });
  it('keeps serving while a target answers, fences when neither answers for fenceAfterS, and serves again when the witness says so', async () => {
    const f = fence();
    await f.step(0, true, w('MAIL1'));
    expect((await f.step(9000, true, null)).fence).toBe('serving');
    expect((await f.step(9000 + t.fenceAfterS * 1000 - 1, false, null)).fence).toBe('serving');
    expect((await f.step(9000 + t.fenceAfterS * 1000 + 1, false, null)).fence).toBe('fenced');
    expect((await f.step(30_000, true, w('MAIL1'))).fence).toBe('serving');
  });
  it('fenced by a lapse of its standbys\' word, serves again once every standby answers as one, with the witness out of reach', async () => {
    const f = fence();
    await f.step(0, true, w('MAIL1'));
    // The witness unreachable from here on; the standbys' word lapses (a busy standby): fenced.
    expect((await f.step(1000, true, null, () => false, () => false)).fence).toBe('fenced');
    // Not while they do not affirm, nor by a target that answered but not as a standby.
    expect((await f.step(2000, true, null, () => false, () => false)).fence).toBe('fenced');
    expect((await f.step(3000, true, null, () => false, () => true)).fence).toBe('serving');
  });
  it('fenced for good by the witness: a blocked lease or another holder is never lifted by the standbys\' word', async () => {
    const blocked = fence();
    await blocked.step(0, true, w('MAIL1'));
    expect((await blocked.step(1000, true, { ...w('MAIL1'), blocked: 'the lease file cannot be read' })).fence).toBe('fenced');
    expect((await blocked.step(2000, true, null, () => false, () => true)).fence).toBe('fenced');
    const over = fence();
    await over.step(0, true, w('MAIL1'));
    await over.step(1000, true, w('MAIL2'));
    expect((await over.step(2000, true, null, () => false, () => true)).fence).toBe('handed-over');
    // Nor at start: an agent that just started waits for the witness.
    const fresh = fence();
    await fresh.step(0, true, null, () => false, () => true);
    expect((await fresh.step(1000, true, null, () => false, () => true)).fence).toBe('fenced');
    expect((await fresh.step(2000, true, null, () => false, () => true)).fence).toBe('fenced');
  });
  it('hands over for good once the witness names another host', async () => {
    const f = fence();
    await f.step(0, true, w('MAIL1'));
    const v = await f.step(1000, true, w('MAIL2'));
    expect(v).toMatchObject({ fence: 'handed-over', active: 'MAIL2', epoch: 1 });
    expect((await f.step(60_000, true, w('MAIL2'))).fence).toBe('handed-over');
  });
});
