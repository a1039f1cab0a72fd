/** The failback and rehearsal plans, the alert receivers made whole, the services the agent owns, and the dashboard's event log. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { failbackPlan, reversedJob } from '../../electron/failover/failback.ts';
import { rehearsalPlan } from '../../electron/failover/rehearsal.ts';
import { alertReceivers, alertSecretsContent } from '../../electron/provision/alert-receivers.ts';
import { knownService, resolveServices } from '../../agent/src/monitor/services.ts';
import { eventLog } from '../../shared/replication.ts';
import type { AgentEvent } from '../../shared/agent-events.ts';
import type { Topology } from '../../shared/topology.ts';

const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' },
  targets: [{ name: 'MAIL2', address: '198.18.0.12', options: { compression: 'strong' } }], witness: { name: 'witness', address: '198.18.0.13' },
  failover: { dns: [{ zone: 'lab.test', name: 'mail' }] },
  alerts: [{ kind: 'smtp', host: 'recv', from: 'a@lab.test', to: ['it@lab.test'], username: 'fg' }, { kind: 'snmp-v2c', host: 'recv' }, { kind: 'syslog', host: 'recv', transport: 'tcp' }] }));
const server = (name: string) => ({ name, dn: `CN=${name}`, fqdn: null, adminGroup: 'AG', site: null, version: { product: 'Exchange 2010' as const, major: 14, minor: 3, build: 0, revision: 0, text: '' }, roles: ['mailbox' as const], dag: null, legacyExchangeDN: `/o=Lab/cn=${name}` });
const db = (name: string, srv: string) => ({ name, dn: `CN=${name}`, kind: 'mailbox' as const, server: srv, storageGroup: null, edbFile: null, streamingFile: null, logFolder: null, systemFolder: null, logPrefix: null, dag: null, mailboxes: 0 });
const topo: Topology = { discoveredAt: '', directory: { dcHost: '', defaultNamingContext: 'DC=lab,DC=test', configurationNamingContext: '', dnsDomain: 'lab.test' }, organisation: null, adminGroups: [], servers: [server('MAIL1'), server('MAIL2')], storageGroups: [], databases: [db('DB1', 'MAIL1'), db('DB2', 'MAIL2')], dags: [] };
const file = (host: string, sha: string) => ({ host, localFile: `/x/${host}.json`, sha256: sha.repeat(64), size: 10 });

describe('the failback plan', () => {
  const p = failbackPlan(job, topo, job.targets[0]!, [{ zone: 'lab.test', name: 'mail', type: 'A', values: ['198.18.0.12'], ttl: 60 }],
    { reversed: [file('MAIL2', 'a'), file('witness', 'b'), file('MAIL1', 'c')] });
  const cmd = (s: (typeof p.steps)[number]) => (s.kind === 'command' ? `${s.host} ${s.command.replace('/opt/failguard/bin/node /opt/failguard/agent.mjs ', 'agent ').replace(' /etc/failguard/agent.json', '')}` : s.kind === 'upload' ? `${s.host} upload ${s.sha256[0]}` : s.kind);
  it('turns replication around, cuts over once the source has caught up, then puts the roles back', () => {
    expect(p.onFailure).toBe('stop');
    const shown = p.steps.map(cmd);
    // The source stops first; the target's agent answers while the source sets aside what diverged (a source that lost
    // the target's last confirmation asks it), and stops next.
    expect(shown.slice(1, 5)).toEqual(['MAIL1 /opt/failguard/agentd stop', 'MAIL1 agent set-aside-diverged MAIL2', 'MAIL2 /opt/failguard/agentd stop', 'witness /opt/failguard/agentd stop']);
    const at = (x: string) => shown.indexOf(x);
    expect(at('MAIL2 upload a')).toBeGreaterThan(at('MAIL1 agent set-aside-diverged MAIL2'));
    expect(at('MAIL1 agent synced')).toBeLessThan(at('MAIL2 agent handover MAIL1'));
    expect(at('MAIL2 agent final-point')).toBeLessThan(at('MAIL1 agent promote'));
    expect(at('MAIL1 agent promote')).toBeLessThan(at('dns-record'));
    expect(at('rehome')).toBeLessThan(at('MAIL1 agent serve'));
    // Each host keeps the configuration provisioning gave it (the witness's holds the lease key, never on this computer)
    // before the reversed one replaces it, and gets it back after the failover's markers go, before the agents start.
    const kept = '/etc/failguard/agent.json.before-failback';
    const stepAt = (h: string, command: string) => p.steps.findIndex((x) => x.kind === 'command' && x.host === h && x.command === command);
    for (const [h, reversed] of [['MAIL1', 'c'], ['MAIL2', 'a'], ['witness', 'b']] as const) {
      const keep = stepAt(h, `[ -f ${kept} ] || cp -p /etc/failguard/agent.json ${kept}`);
      const back = stepAt(h, `if [ -f ${kept} ]; then cp -p ${kept} /etc/failguard/agent.json && rm -f ${kept}; fi`);
      expect([keep, back].every((i) => i > 0), h).toBe(true);
      expect(keep, h).toBeLessThan(at(`${h} upload ${reversed}`));
      expect(back, h).toBeGreaterThan(at(`${h === 'witness' ? 'MAIL2' : h} agent settle`));
      expect(back, h).toBeLessThan(shown.lastIndexOf(`${h} /opt/failguard/agentd start`));
    }
    expect(p.steps.filter((s) => s.kind === 'upload')).toHaveLength(3);
    expect(p.steps.find((s) => s.kind === 'rehome')).toMatchObject({ fromDatabase: 'CN=DB2', toDatabase: 'CN=DB1', toServer: '/o=Lab/cn=MAIL1' });
    expect(p.steps.find((s) => s.kind === 'dns-record')).toMatchObject({ values: ['198.18.0.11'], previous: ['198.18.0.12'] });
    // The reverse sync waits as long as it advances (the agent's own idle limit), never a fixed two minutes.
    expect(p.steps.filter((s) => s.kind === 'command' && s.waits === 'progress').map(cmd)).toEqual(['MAIL1 agent synced']);
  });
  it('the reversed job replicates MAIL2 → MAIL1 with the same options, and never fails over by itself', () => {
    const r = reversedJob({ ...job, failover: { ...job.failover, mode: 'automatic' } }, job.targets[0]!);
    expect([r.source.name, r.targets.map((t) => t.name), r.targets[0]!.options.compression, r.failover.mode]).toEqual(['MAIL2', ['MAIL1'], 'strong', 'alert']);
  });
});

describe('the rehearsal plan', () => {
  it('starts a copy, checks it, and discards it, undoing what it started if a check fails; no DNS, directory or lease', () => {
    const p = rehearsalPlan(job, job.targets[0]!);
    expect(p.onFailure).toBe('undo');
    expect(p.steps.every((s) => s.kind === 'command' && s.host === 'MAIL2')).toBe(true);
    expect(p.steps.map((s) => (s.kind === 'command' ? s.command.split(' ')[2] : ''))).toEqual(['promote', 'hold-queue', 'serve', 'rehearsal-check', 'unserve', 'unpromote']);
  });
});

describe('alert receivers for the agents', () => {
  it('are named without their secrets, which go to a file of their own; a missing one is refused naming the receiver', () => {
    const r = alertReceivers(job, { smtpPassword: 'pw', snmpCommunity: 'c' });
    expect(r).toEqual([{ kind: 'smtp', host: 'recv', port: 587, from: 'a@lab.test', to: ['it@lab.test'], username: 'fg' }, { kind: 'snmp-v2c', host: 'recv', port: 162 }, { kind: 'syslog', host: 'recv', port: 514, transport: 'tcp' }]);
    expect(JSON.parse(alertSecretsContent(job, { smtpPassword: 'pw', snmpCommunity: 'c', snmpAuthKey: 'unused' })!)).toEqual({ smtpPassword: 'pw', snmpCommunity: 'c' });
    expect(alertSecretsContent({ ...job, alerts: [job.alerts[2]!] }, { smtpPassword: 'pw' })).toBeNull();
    expect(() => alertReceivers(job, {})).toThrow(/alerts\[0\] needs the SMTP password/);
    expect(JSON.stringify(job)).not.toMatch(/pw/);
  });
});

describe('the services the agent owns', () => {
  it('are known by name without systemd, by unit with it; an unknown name without systemd is refused', () => {
    expect(knownService('postfix', false)).toMatchObject({ start: 'postfix start', stop: 'postfix stop' });
    expect(knownService('exim4', true)).toMatchObject({ start: 'systemctl start -- exim4', check: 'systemctl is-active --quiet -- exim4' });
    expect(knownService('a;b', true)).toMatchObject({ start: "systemctl start -- 'a;b'" });
    expect(resolveServices([{ name: 'x', start: 'a', stop: 'b', check: 'c' }])).toEqual([{ name: 'x', start: 'a', stop: 'b', check: 'c' }]);
    expect(knownService('exim4', false)).toBeNull();
  });
});

describe('the dashboard\'s event log', () => {
  it('keeps what the monitor, the fence and failovers said, newest first, from every host, by the records\' kinds', () => {
    const st = (host: string, events: AgentEvent[]) => ({ host, state: { events } as never });
    const t = Date.parse('2026-11-30T08:00:00.000Z');
    const ev = eventLog([st('MAIL2', [{ kind: 'monitor', at: t + 1000, from: 'healthy', to: 'source-suspect', message: 'healthy → source-suspect (x)' }, { kind: 'replication', action: 'full-send', at: t + 500, message: 'full send of p0000000001' }]),
      st('MAIL1', [{ kind: 'fence', at: t + 2000, from: 'serving', to: 'fenced', message: 'serving → fenced (y)' }])]);
    expect(ev).toEqual([{ host: 'MAIL1', at: '2026-11-30T08:00:02.000Z', kind: 'fence', text: 'serving → fenced (y)' }, { host: 'MAIL2', at: '2026-11-30T08:00:01.000Z', kind: 'monitor', text: 'healthy → source-suspect (x)' }]);
  });
});

/** Runs shell text under bash with a scratch /etc (a private mount namespace): the failback's keep and put-back steps for real. */
function onScratchEtc(script: string): { code: number; config: string; kept: boolean } {
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-c', [
    'mount -t tmpfs tmpfs /etc || exit 97', 'mkdir -p /etc/failguard', 'export PATH=/usr/bin:/bin', 'set -e', script,
    'set +e; printf "%s" "$(cat /etc/failguard/agent.json)"; printf "\\036"; test -f /etc/failguard/agent.json.before-failback && printf kept || true'].join('\n')], { encoding: 'utf8' });
  if (r.status === 97) throw new Error(`no scratch /etc: ${r.stderr}`);
  const [config, kept] = r.stdout.split('\x1e');
  return { code: r.status ?? -1, config: config ?? '', kept: kept === 'kept' };
}

describe('the failback\'s kept configuration, run under bash', () => {
  const p = failbackPlan(job, topo, job.targets[0]!, [], { reversed: [file('MAIL2', 'a'), file('witness', 'b'), file('MAIL1', 'c')] });
  const on = (h: string, what: RegExp) => p.steps.find((s): s is Extract<typeof s, { kind: 'command' }> => s.kind === 'command' && s.host === h && what.test(s.description))!;
  const keep = on('MAIL1', /^keep MAIL1's configuration/);
  const back = on('MAIL1', /^give MAIL1 back its configuration/);
  const original = '{\n  "role": "source",\n  "leaseKey": "k"\n}';
  const reversed = '{\n  "role": "target"\n}';
  const put = (text: string) => `printf '%s' '${text}' > /etc/failguard/agent.json`;
  const ok = (cmd: string) => `( ${cmd} ) || exit 41`;

  it('kept once and put back: the original returns, the copy goes, and the check passes', () => {
    const r = onScratchEtc([put(original), ok(keep.command), ok(keep.verify!), put(reversed), ok(keep.command), ok(back.command), ok(back.verify!)].join('\n'));
    expect(r).toEqual({ code: 0, config: original, kept: false });
  });

  it('a failback run again after one cut short, then rolled back: the original comes back, not the reversed one', () => {
    // First run: kept, reversed put in place; cut short. Second run: keep again (it must not keep the reversed one), then undo.
    const r = onScratchEtc([put(original), ok(keep.command), put(reversed), ok(keep.command), ok(keep.verify!), ok(keep.undo!)].join('\n'));
    expect(r).toEqual({ code: 0, config: original, kept: false });
  });

  it('no kept copy while a reversed configuration is in place: the put-back check fails, so the plan stops', () => {
    const r = onScratchEtc([put(reversed), ok(back.command), `( ${back.verify!} ) && exit 0 || exit 42`].join('\n'));
    expect(r.code).toBe(42);
    // And a kept copy that is not the source's own (a reversed one kept by mistake) fails keep's check.
    const wrong = onScratchEtc([put(reversed), ok(keep.command), `( ${keep.verify!} ) && exit 0 || exit 43`].join('\n'));
    expect(wrong.code).toBe(43);
  });
});
