/** Steps 3–4 without servers: the schedule grid's text, option checks, the job the wizard builds, the live view and step gating. */
import { describe, expect, it } from 'vitest';
import type { Backend, MethodName, RequestOf } from '../../shared/contract.ts';
import type { PreflightRunResult } from '../../shared/preflight.ts';
import type { Topology } from '../../shared/topology.ts';
import { parseSchedule, scheduleText } from '../../shared/schedule.ts';
import { jobSchema } from '../../shared/job.ts';
import { replicationView, timeLeftText, type AgentState } from '../../shared/replication.ts';
import { agentStateSchema } from '../../shared/agent-state.ts';
import type { z } from 'zod';
import { createAppStore } from '../../renderer/src/store/index.ts';
import { checkDraft, defaultDraft } from '../../renderer/src/store/options-slice.ts';
import { checkFailover } from '../../renderer/src/store/failover-options.ts';
import { buildJob } from '../../renderer/src/store/protect-slice.ts';
import { selectStepAvailability } from '../../renderer/src/store/selectors.ts';

describe('the weekly schedule painted in a grid', () => {
  it('writes the shortest rules, which parse back to the same 168 limits', () => {
    const limits: Array<number | null> = Array(168).fill(null);
    for (let d = 0; d < 5; d++) for (let h = 8; h < 18; h++) limits[d * 24 + h] = 20e6 / 8;
    for (let h = 0; h < 24; h++) limits[6 * 24 + h] = 1e6 / 8;
    limits[2 * 24 + 23] = 512e3 / 8;
    const text = scheduleText(limits);
    expect(text).toBe('mon-fri 08-18 20mbit; wed 23-24 512kbit; sun 00-24 1mbit');
    const back = parseSchedule(text);
    expect(back.ok && back.limits).toEqual(limits);
    expect(scheduleText(Array(168).fill(null))).toBe('');
    expect(scheduleText(Array(168).fill(125e6))).toBe('* 00-24 1gbit');
  });
});

describe('step 3 options', () => {
  it('are checked with the job schema and name the field in plain words', () => {
    expect(checkDraft(defaultDraft())).toMatchObject({ ok: true, options: { compression: 'fast', intervalSeconds: 1, retention: { last: 60, hourlyForHours: 24 }, schedule: '' } });
    const bad = checkDraft({ ...defaultDraft(), sourceAddress: '10.0.0.300', intervalSeconds: '0', retentionLast: '1', retentionHourly: 'x' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems).toEqual({
      'path.sourceAddress': 'not an IP address', intervalSeconds: 'at least 0.25 seconds', 'retention.last': 'keep at least 2 points', 'retention.hourlyForHours': 'give a number',
    });
  });
});

const server = (name: string) => ({ name, dn: `CN=${name}`, fqdn: `${name.toLowerCase()}.lab.test`, adminGroup: 'AG', site: null, version: { product: 'Exchange 2010', major: 14, minor: 3, build: 123, raw: '' }, roles: ['mailbox'], dag: null, legacyExchangeDN: null });
const topology = { discoveredAt: '', directory: {}, organisation: { name: 'Org', dn: 'CN=Org', legacyExchangeDN: null }, adminGroups: ['AG'], servers: ['MAIL1', 'MAIL2', 'MAIL3'].map(server), storageGroups: [], databases: [], dags: [] } as unknown as Topology;
const ips: Record<string, string> = { MAIL1: '198.18.0.11', MAIL2: '198.18.0.12', MAIL3: '198.18.0.14', witness: '198.18.0.13' };
const fp = (n: string) => `SHA256:${n.padEnd(43, 'A')}`;
const backend: Backend = {
  async call<M extends MethodName>(method: M, request: RequestOf<M>) {
    if (method === 'jobs.list') return [] as never;
    if (method !== 'preflight.run') throw new Error(method);
    const r = request as RequestOf<'preflight.run'>;
    const hosts = [{ role: 'source' as const, h: r.source }, ...r.targets.map((h) => ({ role: 'target' as const, h })), ...(r.witness ? [{ role: 'witness' as const, h: r.witness }] : [])];
    const result: PreflightRunResult = {
      report: { findings: [{ ruleId: 'x', outcome: 'pass', message: '', evidence: [] }], fixes: [] } as never, plans: [], unknownHostKeys: [], recovered: [],
      covered: hosts.map(({ role, h }) => ({ role, name: h.name, address: h.address })),
      hostKeys: hosts.map(({ h }) => ({ host: h.name, address: ips[h.name]!, port: 22, fingerprint: fp(h.name) })),
    };
    return result as never;
  },
  on: () => () => undefined,
};

describe('the job the wizard builds', () => {
  it('uses the resolved addresses and pins, the options of each target, and passes the job schema; step 4 opens only when options are valid', async () => {
    const store = createAppStore(backend);
    store.setState({ topology, source: 'MAIL1', targets: ['MAIL2', 'MAIL3'], info: { name: 'Failguard', version: '0', transport: 'http', node: '24', builtSteps: ['servers', 'preflight', 'options', 'protect'], interrupted: [], secrets: { kept: false, how: 'not kept' } } });
    store.getState().setSsh({ witness: 'witness.lab.test', keyFile: '/root/.ssh/id_ed25519' });
    await store.getState().runPreflight();
    store.setState({ pins: Object.entries(ips).map(([, a]) => ({ host: a, port: 22, algorithm: 'ssh-ed25519', fingerprint: fp(a.replace(/\./g, 'x')) })) });
    expect(selectStepAvailability(store.getState(), 'protect').state).toBe('open');
    store.getState().setDraft('MAIL3', { compression: 'strong', intervalSeconds: '5' });
    store.getState().paint('MAIL3', [8, 9, 10], 20e6 / 8);
    const job = jobSchema.parse(buildJob(store.getState()));
    expect(job.source).toMatchObject({ name: 'MAIL1', address: '198.18.0.11', sshKeyFile: '/root/.ssh/id_ed25519' });
    expect(job.targets.map((t) => [t.name, t.address, t.options.compression, t.options.intervalSeconds, t.options.schedule])).toEqual([
      ['MAIL2', '198.18.0.12', 'fast', 1, ''], ['MAIL3', '198.18.0.14', 'strong', 5, 'mon 08-11 20mbit'],
    ]);
    expect(job.witness).toMatchObject({ name: 'witness', address: '198.18.0.13' });
    expect(job.hostKeys).toHaveLength(4);
    expect(job.name).toBe('MAIL1 protection');
    // Step 3's failover choices: the first record suggested from the directory's domain; an outside zone names its server and key.
    expect(job.failover).toMatchObject({ mode: 'alert', timeoutSeconds: 60, services: ['dovecot', 'postfix'], dns: [] });
    store.setState({ topology: { ...topology, directory: { ...topology.directory, dnsDomain: 'lab.test' } } });
    const f = store.getState();
    f.setFailoverDraft({ mode: 'automatic', timeoutSeconds: '30', services: 'dovecot postfix, amavis' });
    f.addDnsRecord();
    store.getState().addDnsRecord();
    store.getState().setDnsRecord(1, { zone: 'example.test.', name: '', type: 'MX', server: '198.18.0.20', key: 'failguard-update', ttl: '300' });
    expect(jobSchema.parse(buildJob(store.getState())).failover).toEqual({
      mode: 'automatic', timeoutSeconds: 30, profile: 'standard', services: ['dovecot', 'postfix', 'amavis'], databases: {},
      dns: [{ zone: 'lab.test', name: 'mail', type: 'A', ttl: 60 }, { zone: 'example.test', name: '@', type: 'MX', ttl: 300, server: { address: '198.18.0.20', port: 53, key: 'failguard-update', algorithm: 'hmac-sha256' } }],
    });
    store.getState().setDnsRecord(1, { key: '', ttl: '2' });
    store.getState().setFailoverDraft({ timeoutSeconds: '9' });
    const bad = checkFailover(store.getState().failoverDraft);
    expect(bad.ok ? {} : bad.problems).toEqual({ timeoutSeconds: expect.stringMatching(/^at least 10 seconds/), 'dns[1].ttl': 'at least 5 seconds', 'dns[1].server.key': 'not a TSIG key name' });
    expect(selectStepAvailability(store.getState(), 'protect')).toEqual({ state: 'locked', reason: 'Complete the options first.' });
    store.getState().removeDnsRecord(1);
    store.getState().setFailoverDraft({ timeoutSeconds: '60' });
    expect(selectStepAvailability(store.getState(), 'protect').state).toBe('open');
    store.getState().setDraft('MAIL2', { intervalSeconds: 'soon' });
    expect(selectStepAvailability(store.getState(), 'protect')).toEqual({ state: 'locked', reason: 'Complete the options first.' });
    // A saved job opens step 4 (its dashboard) whatever the other steps say.
    store.setState({ activeJobId: job.id });
    expect(selectStepAvailability(store.getState(), 'protect').state).toBe('open');
  });
});

describe('the live view (dashboard and status)', () => {
  const job = jobSchema.parse({ version: 1, id: '0d5e8f7a-6b4c-4d3e-9f2a-1b0c9d8e7f6a', name: 'J', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }, { name: 'MAIL3', address: '198.18.0.14' }] });
  const now = 1_800_000_000_000;
  const point = (at: number) => `p0000000042-${at}`;
  // Through the one schema the app reads agents' states with: what an older agent leaves out gets its default.
  const agent = (role: AgentState['role'], over: Partial<z.input<typeof agentStateSchema>> = {}): AgentState => agentStateSchema.parse({ version: '0.1.0', role, host: 'x', pid: 1, node: 'v24', updatedAt: now, points: [], targets: {}, received: { count: 0, newest: null, newestAt: null }, ...over });
  it('gives per target its phase, initial sync share and time left, throughput, compression and RPO from the newest point\'s name', () => {
    const source = agent('source', { targets: {
      MAIL2: { state: 'idle', lastPoint: point(now - 1500), lastPointAt: now - 1500, sends: 10, fullSends: 1, bytesRaw: 3000, bytesWire: 1000, current: null, lastError: null, limitBytesPerSecond: 2.5e6,
        lastSend: { point: point(now - 1500), parent: 'p1', startedAt: now - 1200, endedAt: now - 1000, bytesRaw: 2e6, bytesWire: 1e6 } },
      MAIL3: { state: 'sending', lastPoint: null, lastPointAt: null, sends: 0, fullSends: 0, bytesRaw: 0, bytesWire: 0, lastError: null, limitBytesPerSecond: null,
        current: { point: point(now - 20_000), parent: null, startedAt: now - 10_000, bytesRaw: 100e6, bytesWire: 100e6, estimateBytes: 400e6 } },
    } });
    const v = replicationView(job, [
      { host: 'MAIL1', state: source },
      { host: 'MAIL2', state: agent('target', { received: { count: 30, newest: point(now - 1500), newestAt: now - 1400 } }) },
      { host: 'MAIL3', state: null, error: 'the agent is not installed' },
    ], now);
    expect(v.targets[0]).toEqual({ target: 'MAIL2', phase: 'replicating', initialSync: null, bytesPerSecond: 1e7, compressionRatio: 3, rpoSeconds: 1.5, newestPoint: point(now - 1500), points: 30, held: 0, tripwire: null, limitBytesPerSecond: 2.5e6, lastError: null, monitor: null, volume: null });
    expect(v.targets[1]).toMatchObject({ target: 'MAIL3', phase: 'no-agent', rpoSeconds: null, lastError: 'the agent is not installed' });
    const withAgent = replicationView(job, [{ host: 'MAIL1', state: source }, { host: 'MAIL3', state: agent('target') }], now);
    expect(withAgent.targets[1]).toMatchObject({ phase: 'initial-sync', initialSync: { share: 0.25, etaSeconds: 30, totalBytes: 400e6 }, bytesPerSecond: 10e6 });
    expect([timeLeftText(30), timeLeftText(89.2), timeLeftText(90), timeLeftText(600)]).toEqual(['30 s', '90 s', '2 min', '10 min']);
    expect(v.hosts.map((h) => [h.host, h.role, h.version])).toEqual([['MAIL1', 'source', '0.1.0'], ['MAIL2', 'target', '0.1.0'], ['MAIL3', 'target', null]]);
  });

  it('says which standby holds the lease on the one that was not chosen, and nothing of the kind otherwise', () => {
    const target = (state: string, leaseHolder?: string) => agent('target', { monitor: { role: 'target', state, since: now, quietS: 30, timeoutS: 25, countdownS: null, witnessSeesSource: false, mode: 'automatic', active: leaseHolder ?? 'MAIL2', epoch: 1, ...(leaseHolder ? { leaseHolder } : {}) } as AgentState['monitor'] });
    const v = replicationView(job, [{ host: 'MAIL2', state: target('failed-over') }, { host: 'MAIL3', state: target('source-lost', 'MAIL2') }], now);
    expect(v.targets.map((t) => t.monitor)).toEqual([
      { state: 'failed-over', countdownS: null, witnessSeesSource: false, mode: 'automatic' },
      { state: 'source-lost', countdownS: null, witnessSeesSource: false, mode: 'automatic', leaseHolder: 'MAIL2' },
    ]);
  });

  it('shows the standby not chosen replicating from the holder, whose sends it follows, not from the old source', () => {
    const sent = (lastPoint: string, state: 'idle' | 'error') => ({ state, lastPoint, lastPointAt: now - 2000, sends: 5, fullSends: 0, bytesRaw: 600, bytesWire: 200, current: null, lastError: state === 'error' ? 'MAIL3 says: no' : null, limitBytesPerSecond: null, lastSend: null });
    const stale = agent('source', { targets: { MAIL3: sent(point(now - 900_000), 'error') } });
    const holder = agent('target', { targets: { MAIL3: sent(point(now - 2000), 'idle') }, monitor: { role: 'target', state: 'failed-over', since: now, quietS: 30, timeoutS: 25, countdownS: null, witnessSeesSource: false, mode: 'automatic', active: 'MAIL2', epoch: 1 } as AgentState['monitor'] });
    const loser = agent('target', { received: { count: 9, newest: point(now - 2000), newestAt: now - 1900 }, monitor: { role: 'target', state: 'source-lost', since: now, quietS: 30, timeoutS: 25, countdownS: null, witnessSeesSource: false, mode: 'automatic', active: 'MAIL2', epoch: 1, leaseHolder: 'MAIL2' } as AgentState['monitor'] });
    const v = replicationView(job, [{ host: 'MAIL1', state: stale }, { host: 'MAIL2', state: holder }, { host: 'MAIL3', state: loser }], now);
    expect(v.targets[1]).toMatchObject({ target: 'MAIL3', phase: 'replicating', lastError: null, compressionRatio: 3, rpoSeconds: 2 });
    // Without a holder it is the source's view, error and all.
    const before = replicationView(job, [{ host: 'MAIL1', state: stale }, { host: 'MAIL3', state: agent('target') }], now);
    expect(before.targets[1]).toMatchObject({ phase: 'error', lastError: 'MAIL3 says: no' });
  });
});
