/** A saved job back in the wizard: every step filled from it, the same job built again, its changes named; alert receivers; the audit journey. */
import { describe, expect, it } from 'vitest';
import type { Backend, MethodName, RequestOf } from '../../shared/contract.ts';
import type { PreflightRunResult } from '../../shared/preflight.ts';
import type { Topology } from '../../shared/topology.ts';
import { checkJob } from '../../electron/jobs/job-file.ts';
import { jobChanges } from '../../shared/job-diff.ts';
import { createAppStore } from '../../renderer/src/store/index.ts';
import { buildJob } from '../../renderer/src/store/protect-slice.ts';
import { selectStepAvailability } from '../../renderer/src/store/selectors.ts';
import { checkAlerts, newAlertDraft, secretsNeeded } from '../../renderer/src/store/alert-options.ts';

const ID = '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11';
const fp = (n: string) => `SHA256:${n.padEnd(43, 'A')}`;
const saved = checkJob({
  version: 1, id: ID, name: 'Head office', source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: '/root/.ssh/id' },
  targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: '/root/.ssh/id', options: { compression: 'strong', schedule: 'mon-fri 08-18 20mbit', intervalSeconds: 5, retention: { last: 30, hourlyForHours: 12 } } }],
  witness: { name: 'witness', address: '198.18.0.13', sshKeyFile: '/root/.ssh/id' },
  directory: { target: { kind: 'url', url: 'ldaps://198.18.0.10' }, username: 'administrator@lab.test', pinned: [{ fingerprint256: `${'AB:'.repeat(31)}AB`, pem: '-----BEGIN CERTIFICATE-----', subject: 'CN=dc1' }] },
  failover: { mode: 'automatic', timeoutSeconds: 30, dns: [{ zone: 'lab.test', name: 'mail', type: 'A' }] },
  alerts: [{ kind: 'smtp', host: '198.18.0.20', port: 25, from: 'failguard@lab.test', to: ['ops@lab.test'] }, { kind: 'syslog', host: '198.18.0.20', transport: 'tcp' }],
  hostKeys: ['198.18.0.11', '198.18.0.12', '198.18.0.13'].map((a) => ({ host: a, port: 22, algorithm: 'ssh-ed25519', fingerprint: fp(a.replace(/\./g, 'x')) })),
});
const server = (name: string) => ({ name, dn: `CN=${name}`, fqdn: `${name.toLowerCase()}.lab.test`, adminGroup: 'AG', site: null, version: { product: 'Exchange 2010', major: 14, minor: 3, build: 123, raw: '' }, roles: ['mailbox'], dag: null, legacyExchangeDN: null });
const topology = { discoveredAt: '', directory: { dnsDomain: 'lab.test' }, organisation: { name: 'Org', dn: 'CN=Org', legacyExchangeDN: null }, adminGroups: ['AG'], servers: ['MAIL1', 'MAIL2', 'MAIL3'].map(server), storageGroups: [], databases: [], dags: [] } as unknown as Topology;
const calls: Array<{ method: string; request: unknown }> = [];
const backendFor = (job: typeof saved, kept: { directory: boolean; ssh: boolean; alerts: boolean; tsigKeys: string[] }): Backend => ({
  async call<M extends MethodName>(method: M, request: RequestOf<M>) {
    calls.push({ method, request });
    if (method === 'jobs.list') return [{ job, savedAt: '2026-11-30T10:00:00Z', kept }] as never;
    if (method === 'directory.discover') return topology as never;
    if (method !== 'preflight.run') throw new Error(method);
    const r = request as RequestOf<'preflight.run'>;
    const hosts = [{ role: 'source' as const, h: r.source }, ...r.targets.map((h) => ({ role: 'target' as const, h })), ...(r.witness ? [{ role: 'witness' as const, h: r.witness }] : [])];
    return { report: { findings: [], fixes: [] } as never, plans: [], unknownHostKeys: [], recovered: [], covered: hosts.map(({ role, h }) => ({ role, name: h.name, address: h.address })),
      hostKeys: hosts.map(({ h }) => ({ host: h.name, address: h.address, port: 22, fingerprint: fp(h.address.replace(/\./g, 'x')) })) } satisfies PreflightRunResult as never;
  },
  on: () => () => undefined,
});
const backend = backendFor(saved, { directory: true, ssh: false, alerts: false, tsigKeys: [] });
const info = { name: 'Failguard' as const, version: '0', transport: 'http' as const, node: '24', builtSteps: ['servers', 'preflight', 'options', 'protect'] as never, interrupted: [], secrets: { kept: true, how: 'kept' } };

describe('reopening a saved job to reconfigure it', () => {
  it('fills every step from the job, discovers with the kept password, chooses its servers and builds the same job again', async () => {
    const store = createAppStore(backend);
    store.setState({ info });
    await store.getState().openSavedJob();
    expect(store.getState().journey).toBe('start');
    await store.getState().reconfigure(ID);
    const s = store.getState();
    expect([s.journey, s.currentStep, s.jobId, s.form.url, s.form.username, s.form.password]).toEqual(['protect', 'servers', ID, 'ldaps://198.18.0.10', 'administrator@lab.test', '']);
    // Discovery ran at once, naming the job whose kept password the back end uses; the UI never had it.
    const discover = calls.find((c) => c.method === 'directory.discover')!.request as RequestOf<'directory.discover'>;
    expect(discover.credentials).toEqual({ username: 'administrator@lab.test', password: '', savedFor: ID });
    expect(discover.trust?.pinned?.map((p) => p.subject)).toEqual(['CN=dc1']);
    expect([s.source, s.targets]).toEqual(['MAIL1', ['MAIL2']]);
    await store.getState().runPreflight();
    expect(selectStepAvailability(store.getState(), 'protect').state).toBe('open');
    const again = checkJob(buildJob(store.getState()));
    expect(jobChanges(saved, again)).toEqual([]);
    expect(again.hostKeys.map((k) => k.fingerprint).sort()).toEqual(saved.hostKeys.map((k) => k.fingerprint).sort());
    // One change made in step 3 is the one change named.
    store.getState().setFailoverDraft({ timeoutSeconds: '45' });
    expect(jobChanges(saved, checkJob(buildJob(store.getState())))).toEqual([{ kind: 'changed', area: 'failover', subject: 'failover', field: 'timeout (seconds)', before: '30', after: '45' }]);
  });

  it('a pre-flight audit opens steps 1 and 2 only, and a new protection starts empty under a new id', () => {
    const store = createAppStore(backend);
    store.setState({ info });
    store.getState().startNew('audit');
    expect(selectStepAvailability(store.getState(), 'options')).toEqual({ state: 'locked', reason: expect.stringMatching(/pre-flight audit only/) });
    expect(selectStepAvailability(store.getState(), 'protect').state).toBe('locked');
    store.getState().startNew('protect');
    expect([store.getState().journey, store.getState().jobId === ID, store.getState().form.username]).toEqual(['protect', false, '']);
  });
});

describe('alert receivers in step 3', () => {
  it('are checked with the job schema, name the field, and say which secrets they need', () => {
    const smtp = { ...newAlertDraft('smtp'), host: '198.18.0.20', port: '25', from: 'failguard@lab.test', to: 'ops@lab.test, it@lab.test', username: 'relay' };
    const v3 = { ...newAlertDraft('snmp-v3'), host: '198.18.0.20', user: 'fg', engineId: '8000000001020304' };
    const ok = checkAlerts([smtp, v3]);
    expect(ok.ok && ok.alerts).toEqual([
      { kind: 'smtp', host: '198.18.0.20', port: 25, from: 'failguard@lab.test', to: ['ops@lab.test', 'it@lab.test'], username: 'relay' },
      { kind: 'snmp-v3', host: '198.18.0.20', port: 162, user: 'fg', engineId: '8000000001020304' },
    ]);
    expect(ok.ok && secretsNeeded(ok.alerts)).toEqual(['smtpPassword', 'snmpAuthKey', 'snmpPrivKey']);
    const bad = checkAlerts([{ ...smtp, host: '', port: 'x' }, { ...v3, engineId: 'zz' }]);
    expect(bad.ok ? null : bad.problems).toEqual({ 'alerts[0].host': expect.any(String), 'alerts[0].port': 'give a number', 'alerts[1].engineId': 'not an SNMP engine id (hex)' });
  });

  it('a job reached with an SSH password: reopened with the method, the kept password used by the back end, the same job again', async () => {
    const withPassword = checkJob({ ...saved, source: { name: 'MAIL1', address: '198.18.0.11', sshAuth: 'password' }, targets: [{ ...saved.targets[0]!, sshKeyFile: undefined, sshAuth: 'password' }], witness: { name: 'witness', address: '198.18.0.13', sshAuth: 'password' } });
    const store = createAppStore(backendFor(withPassword, { directory: true, ssh: true, alerts: false, tsigKeys: [] }));
    store.setState({ info });
    await store.getState().openSavedJob();
    await store.getState().reconfigure(ID);
    expect([store.getState().ssh.method, store.getState().ssh.secret, store.getState().reopened?.sshSecretKept]).toEqual(['password', '', true]);
    calls.length = 0;
    await store.getState().runPreflight();
    const run = calls.find((c) => c.method === 'preflight.run')!.request as RequestOf<'preflight.run'>;
    expect([run.source.auth, run.sshSecretFor]).toEqual([{ kind: 'password', password: '' }, ID]);
    expect(jobChanges(withPassword, checkJob(buildJob(store.getState())))).toEqual([]);
    expect(checkJob(buildJob(store.getState())).source).not.toHaveProperty('sshKeyFile');
  });

  it('a new job: a key file or a password is asked for in one sentence before anything is sent', async () => {
    const store = createAppStore(backend);
    store.setState({ info });
    await store.getState().openSavedJob();
    await store.getState().reconfigure(ID);
    store.setState({ reopened: null });
    calls.length = 0;
    store.getState().setSsh({ method: 'key', keyFile: ' ' });
    await store.getState().runPreflight();
    expect(store.getState().preflight.error).toBe('Give the path of the SSH private key on this computer, or choose to sign in with your SSH agent.');
    store.getState().setSsh({ method: 'password', secret: '' });
    await store.getState().runPreflight();
    expect(store.getState().preflight.error).toBe('Type the SSH password of the servers\' account.');
    expect(calls.filter((c) => c.method === 'preflight.run')).toEqual([]);
    store.getState().setSsh({ method: 'key', keyFile: '/root/.ssh/id', secret: 'pass phrase' });
    await store.getState().runPreflight();
    const run = calls.find((c) => c.method === 'preflight.run')!.request as RequestOf<'preflight.run'>;
    expect([run.source.auth, run.sshSecretFor]).toEqual([{ kind: 'key', keyFile: '/root/.ssh/id', passphrase: 'pass phrase' }, undefined]);
  });
});
