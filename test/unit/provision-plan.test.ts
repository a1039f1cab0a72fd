import { describe, expect, it } from 'vitest';
import { describeStep, stepHost } from '../../shared/plan.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { agentConfig, jobHosts } from '../../electron/provision/agent-config.ts';
import { hostTargets } from '../../electron/provision/service.ts';
import { parseHostNow, provisioningPlan, type ShippedFile } from '../../electron/provision/plan.ts';
import { compareListings, parseListing } from '../../electron/provision/verify.ts';
import { agentConfigSchema } from '../../agent/src/config.ts';

const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' },
  targets: [{ name: 'MAIL2', address: '198.18.0.12', options: { path: { sourceAddress: '198.18.1.11', targetAddress: '198.18.1.12' }, compression: 'strong', schedule: 'mon-fri 08-18 20mbit' } }], witness: { name: 'witness', address: '198.18.0.13' } }));
const f = (remotePath: string, sha256: string): ShippedFile => ({ remotePath, localFile: `/local${remotePath}`, sha256, size: 1, mode: 0o644, what: remotePath });
const files = [f('/opt/failguard/agent.mjs', 'a'.repeat(64)), f('/etc/failguard/agent.json', 'b'.repeat(64))];
const now = (agentRunning: boolean, hashes: Array<string | null>) => ({ files: Object.fromEntries(files.map((x, i) => [x.remotePath, hashes[i] ?? null])), agentRunning, systemd: false });

describe('the provisioning plan', () => {
  it('signs in to each host as the job says, with the passphrase or password given; a password job without one is one sentence', () => {
    const keyed = parseJob(JSON.stringify({ ...JSON.parse(JSON.stringify(job)), source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: '/k' } }));
    expect(hostTargets(keyed).map((h) => h.auth)).toEqual([{ kind: 'key', keyFile: '/k' }, { kind: 'agent' }, { kind: 'agent' }]);
    expect(hostTargets(keyed, 'pp')[0]!.auth).toEqual({ kind: 'key', keyFile: '/k', passphrase: 'pp' });
    const pw = parseJob(JSON.stringify({ ...JSON.parse(JSON.stringify(job)), source: { name: 'MAIL1', address: '198.18.0.11', sshAuth: 'password' } }));
    expect(hostTargets(pw, 'pw')[0]!.auth).toEqual({ kind: 'password', password: 'pw' });
    expect(() => hostTargets(pw)).toThrow(/MAIL1 is reached with an SSH password, and none was given or kept on this computer; type it in step 2/);
    // The job says one way of signing in, or is refused naming the field.
    expect(() => parseJob(JSON.stringify({ ...JSON.parse(JSON.stringify(job)), source: { name: 'MAIL1', address: '198.18.0.11', sshAuth: 'key' } }))).toThrow(/sshKeyFile/);
    expect(() => parseJob(JSON.stringify({ ...JSON.parse(JSON.stringify(job)), source: { name: 'MAIL1', address: '198.18.0.11', sshAuth: 'password', sshKeyFile: '/k' } }))).toThrow(/sshAuth/);
  });

  it('is empty when every host runs the job as it is', () => {
    const p = provisioningPlan(job, jobHosts(job).map((h) => ({ ...h, files, now: now(true, files.map((x) => x.sha256)) })));
    expect(p.steps).toEqual([]);
  });

  it('copies a new agent only where it differs, stopping the agent before and starting it after, targets before the source', () => {
    const hosts = jobHosts(job).map((h) => ({ ...h, files, now: h.name === 'MAIL1' ? now(true, ['c'.repeat(64), files[1]!.sha256]) : now(true, files.map((x) => x.sha256)) }));
    const p = provisioningPlan(job, hosts);
    expect(p.steps.map((s) => [stepHost(s), s.kind, s.kind === 'command' ? s.command.split(' ').slice(0, 2).join(' ') : s.kind === 'upload' ? s.remotePath : ''])).toEqual([
      ['MAIL1', 'command', '/opt/failguard/agentd stop'], ['MAIL1', 'upload', '/opt/failguard/agent.mjs'], ['MAIL1', 'command', '/opt/failguard/agentd start'], ['MAIL1', 'command', 'rm -f'],
    ]);
    expect(jobHosts(job).map((h) => h.role)).toEqual(['target', 'witness', 'source']);
  });

  it('stops every agent before copying (targets first) and starts them after every copy, the witness, then the source, the targets last', () => {
    const seq = (hostsNow: (h: { role: string }) => ReturnType<typeof now>) => provisioningPlan(job, jobHosts(job).map((h) => ({ ...h, files, now: hostsNow(h) }))).steps
      .map((s) => `${stepHost(s)} ${s.kind === 'command' ? s.command.split(' ').slice(0, 2).join(' ').replace('/opt/failguard/', '') : s.kind}`);
    // A new agent on every running host.
    expect(seq(() => now(true, ['c'.repeat(64), files[1]!.sha256]))).toEqual([
      'MAIL2 agentd stop', 'MAIL1 agentd stop', 'witness agentd stop', 'MAIL2 upload', 'witness upload', 'MAIL1 upload',
      'witness agentd start', 'MAIL1 agentd start', 'MAIL2 agentd start', 'MAIL2 rm -f', 'witness rm -f', 'MAIL1 rm -f',
    ]);
    // A first install: no target runs while the others are still being copied to.
    const first = seq(() => now(false, [null, null]));
    expect(first.filter((x) => x.includes('start'))).toEqual(['witness agentd start', 'MAIL1 agentd start', 'MAIL2 agentd start']);
    expect(first.findIndex((x) => x.includes('start'))).toBe(first.length - 6);
  });

  it('gives a running agent a new configuration to take without stopping it, with an undo that puts the old one back', () => {
    const hosts = jobHosts(job).map((h) => ({ ...h, files, now: h.name === 'MAIL1' ? now(true, [files[0]!.sha256, 'c'.repeat(64)]) : now(true, files.map((x) => x.sha256)) }));
    const steps = provisioningPlan(job, hosts).steps;
    expect(steps.map((s) => [stepHost(s), s.kind === 'command' ? s.command.split(' ').slice(0, 3).join(' ') : s.kind === 'upload' ? s.remotePath : ''])).toEqual([
      ['MAIL1', '/etc/failguard/agent.json'], ['MAIL1', '/opt/failguard/bin/node /opt/failguard/agent.mjs reload'], ['MAIL1', 'rm -f /opt/failguard/*.failguard-prev'],
    ]);
    const reload = steps[1]!;
    expect(reload.kind === 'command' && [reload.verify, reload.undo]).toEqual(['/opt/failguard/bin/node /opt/failguard/agent.mjs config-applied /etc/failguard/agent.json',
      '[ -f /etc/failguard/agent.json.failguard-prev ] && cp -p /etc/failguard/agent.json.failguard-prev /etc/failguard/agent.json; /opt/failguard/bin/node /opt/failguard/agent.mjs reload /etc/failguard/agent.json']);
  });

  it('only copies a new failover plan: the agent reads it when it fails over', () => {
    const withPlan = [...files, f('/etc/failguard/failover-plan.json', 'd'.repeat(64))];
    const hosts = jobHosts(job).map((h) => ({ ...h, files: withPlan, now: { files: Object.fromEntries(withPlan.map((x) => [x.remotePath, h.name === 'MAIL2' && x.remotePath.endsWith('plan.json') ? 'e'.repeat(64) : x.sha256])), agentRunning: true, systemd: false } }));
    expect(provisioningPlan(job, hosts).steps.map((s) => `${stepHost(s)} ${s.kind} ${s.kind === 'upload' ? s.remotePath : s.kind === 'command' ? s.command.split(' ')[0] : ''}`))
      .toEqual(['MAIL2 upload /etc/failguard/failover-plan.json', 'MAIL2 command rm']);
  });

  it('writes a changed secrets file from memory (its keyed digest in the plan, never the secret) and has the agent reload', () => {
    const secret: ShippedFile = { remotePath: '/etc/failguard/secrets.json', localFile: '', sha256: 'f'.repeat(64), size: 20, mode: 0o600, what: 'the alert receivers\' secrets', secret: { name: 'alerts', digest: 'd'.repeat(64) } };
    const all = [...files, secret];
    const hosts = jobHosts(job).map((h) => ({ ...h, files: all, now: { files: Object.fromEntries(all.map((x) => [x.remotePath, x === secret && h.name === 'witness' ? null : x.sha256])), agentRunning: true, systemd: false } }));
    const steps = provisioningPlan(job, hosts).steps;
    expect(steps.map((st) => [stepHost(st), st.kind])).toEqual([['witness', 'secret-file'], ['witness', 'command'], ['witness', 'command']]);
    expect(steps[0]).toEqual({ kind: 'secret-file', host: 'witness', description: 'write the alert receivers\' secrets on witness', secret: 'alerts', digest: 'd'.repeat(64), remotePath: '/etc/failguard/secrets.json', mode: 0o600 });
    expect(JSON.stringify(steps)).not.toContain('f'.repeat(64));
    expect(describeStep(steps[0]!).action).toBe('write the alerts secrets to /etc/failguard/secrets.json, mode 0600 (their values are not shown)');
    expect(steps[1]!.kind === 'command' && steps[1]!.command).toContain('agent.mjs reload');
  });

  it('makes the folders on a host that has none of the files yet', () => {
    const hosts = jobHosts(job).map((h) => ({ ...h, files, now: h.name === 'witness' ? now(false, [null, null]) : now(true, files.map((x) => x.sha256)) }));
    expect(provisioningPlan(job, hosts).steps.map((s) => (s.kind === 'command' ? s.command.split(' ').slice(0, 2).join(' ') : s.kind))).toEqual(['mkdir -p', 'upload', 'upload', '/opt/failguard/agentd start', 'rm -f']);
  });

  it('starts an agent that is installed but not running, and changes nothing else', () => {
    const hosts = jobHosts(job).map((h) => ({ ...h, files, now: now(h.name !== 'MAIL2', files.map((x) => x.sha256)) }));
    expect(provisioningPlan(job, hosts).steps.map((s) => (s.kind === 'command' ? `${s.host}: ${s.command}` : s.kind))).toEqual(['MAIL2: /opt/failguard/agentd start']);
  });

  it('reads what a host has now', () => {
    expect(parseHostNow(`file\t/opt/failguard/agent.mjs\t${'a'.repeat(64)}\nfile\t/etc/failguard/agent.json\t\nagent running\nsystemd no\n`))
      .toEqual({ files: { '/opt/failguard/agent.mjs': 'a'.repeat(64), '/etc/failguard/agent.json': null }, agentRunning: true, systemd: false });
  });
});

describe('the agent configuration made from the job', () => {
  it('is valid for the agent and carries each target\'s path, compression and schedule', () => {
    const [target, witness, source] = jobHosts(job);
    const src = agentConfigSchema.parse(agentConfig(job, source!));
    expect(src.targets).toEqual([{ name: 'MAIL2', address: '198.18.1.12', port: 7420, sourceAddress: '198.18.1.11', compression: 'strong', schedule: 'mon-fri 08-18 20mbit', intervalSeconds: 1 }]);
    expect(src).toMatchObject({ role: 'source', subvolume: '/srv/mail', pointsDir: '/srv/.failguard/points' });
    expect(agentConfigSchema.parse(agentConfig(job, target!))).toMatchObject({ role: 'target', receiveDir: '/srv/.failguard/received', targets: [] });
    expect(agentConfigSchema.parse(agentConfig(job, witness!)).role).toBe('witness');
    // Each agent's certificate names every address it is reached on.
    expect(target!.addresses).toEqual(['198.18.0.12', '198.18.1.12']);
    expect(source!.addresses).toEqual(['198.18.0.11', '198.18.1.11']);
  });

  it('gives each of several standbys the others, which it sends on to if it takes over; one standby gets none', () => {
    const second = { ...job.targets[0]!, name: 'MAIL3', address: '198.18.0.13', options: { ...job.targets[0]!.options, compression: 'off' as const, intervalSeconds: 30 } };
    const two = { ...job, targets: [job.targets[0]!, second] };
    const hosts = jobHosts(two);
    const mail3 = agentConfigSchema.parse(agentConfig(two, hosts.find((h) => h.name === 'MAIL3')!));
    expect(mail3.standbys).toEqual([{ name: 'MAIL2', address: '198.18.0.12', port: 7420, compression: 'strong', schedule: 'mon-fri 08-18 20mbit', intervalSeconds: 1 }]);
    expect(agentConfigSchema.parse(agentConfig(two, hosts.find((h) => h.name === 'MAIL2')!)).standbys.map((s) => [s.name, s.compression, s.intervalSeconds])).toEqual([['MAIL3', 'off', 30]]);
    expect(agentConfigSchema.parse(agentConfig(two, hosts.find((h) => h.role === 'source')!)).standbys).toEqual([]);
    expect('standbys' in agentConfig(job, jobHosts(job)[0]!)).toBe(false);
    // The witness knows every standby: only they may be granted the lease.
    const witness = { ...two, witness: { name: 'witness', address: '198.18.0.13', sshPort: 22, sshUser: 'root' } };
    expect(agentConfigSchema.parse(agentConfig(witness, jobHosts(witness).find((h) => h.role === 'witness')!)).standbyNames).toEqual(['MAIL2', 'MAIL3']);
  });

  it('refuses a protection set of several subvolumes (one snapshot could not catch it whole)', () => {
    expect(() => agentConfig({ ...job, protect: ['/srv/mail', '/srv/queue'] }, jobHosts(job)[2]!)).toThrow(/one btrfs subvolume/);
  });
});

describe('verify compares a point file by file', () => {
  it('reports files missing on either side and files that differ', () => {
    const a = parseListing(`x\t3\t${'1'.repeat(64)}\ny\t4\t${'2'.repeat(64)}\nz\t5\t${'3'.repeat(64)}\n`);
    const b = parseListing(`x\t3\t${'1'.repeat(64)}\ny\t4\t${'9'.repeat(64)}\nw\t1\t${'4'.repeat(64)}\n`);
    expect(compareListings(a, b).map((d) => [d.path, !!d.source, !!d.target])).toEqual([['w', false, true], ['y', true, true], ['z', true, false]]);
    expect(compareListings(a, a)).toEqual([]);
  });
});

describe('status shows the progress of a send', () => {
  it('gives share, size, throughput and time left for an initial sync, throughput for an incremental one', async () => {
    const { sendProgress } = await import('../../shared/replication.ts');
    const t = 1_000_000;
    expect(sendProgress({ point: 'p1', bytesWire: 0, startedAt: t, bytesRaw: 250e6, estimateBytes: 1000e6, parent: null }, t + 10_000)).toEqual({ initialSync: true, bytes: 250e6, totalBytes: 1000e6, share: 0.25, bytesPerSecond: 25e6, etaSeconds: 30 });
    expect(sendProgress({ point: 'p1', bytesWire: 0, startedAt: t, bytesRaw: 1200e6, estimateBytes: 1000e6, parent: null }, t + 10_000)).toMatchObject({ share: 1, etaSeconds: 0 });
    expect(sendProgress({ point: 'p2', bytesWire: 0, startedAt: t, bytesRaw: 5e6, estimateBytes: null, parent: 'p0000000001-1796004835635' }, t + 1000)).toEqual({ initialSync: false, bytes: 5e6, totalBytes: null, share: null, bytesPerSecond: 5e6, etaSeconds: null });
  });
});

describe('how a protected host runs the agent: mail admission and the start at boot', () => {
  const first = (o: { admission: 'on' | 'off' | 'none'; boot: 'on' | 'off' | 'none' }) => provisioningPlan(job, jobHosts(job).map((h) => ({ ...h, files, now: { ...now(false, [null, null]), ...o } }))).steps
    .map((s) => `${stepHost(s)} ${s.kind === 'command' ? s.command.replace('/opt/failguard/', '') : s.kind}`);

  it('on a first install: Postfix asks the agent on the source and targets, the agent starts at boot everywhere and the mail services no longer do; all before any agent starts', () => {
    const steps = first({ admission: 'off', boot: 'off' });
    expect(steps.filter((s) => / (admission|boot) /.test(s))).toEqual([
      'MAIL2 agentd admission on', "MAIL2 agentd boot on 'dovecot' 'postfix'", "witness agentd boot on", 'MAIL1 agentd admission on', "MAIL1 agentd boot on 'dovecot' 'postfix'",
    ]);
    const lastSetUp = Math.max(...steps.map((s, i) => (/ (admission|boot) /.test(s) ? i : -1)));
    expect(steps.findIndex((s) => s.endsWith('agentd start'))).toBeGreaterThan(lastSetUp);
  });

  it('each step is verified and undone exactly; nothing again where it is already on', () => {
    const steps = provisioningPlan(job, jobHosts(job).map((h) => ({ ...h, files, now: { ...now(false, [null, null]), admission: 'off' as const, boot: 'off' as const } }))).steps;
    const mail1 = steps.filter((s) => stepHost(s) === 'MAIL1' && s.kind === 'command' && / (admission|boot) on/.test(s.command));
    expect(mail1.map((s) => s.kind === 'command' && [s.verify, s.undo])).toEqual([
      ['/opt/failguard/agentd admission status', '/opt/failguard/agentd admission off'],
      ["/opt/failguard/agentd boot status 'dovecot' 'postfix'", '/opt/failguard/agentd boot off'],
    ]);
    expect(first({ admission: 'on', boot: 'on' }).filter((s) => / (admission|boot) /.test(s))).toEqual([]);
  });

  it('a host without an init system Failguard knows: one step says so plainly and changes nothing', () => {
    const steps = provisioningPlan(job, jobHosts(job).map((h) => ({ ...h, files, now: { ...now(false, [null, null]), admission: 'on' as const, boot: 'none' as const } }))).steps;
    const notes = steps.filter((s) => s.kind === 'command' && s.command === 'true');
    expect(notes.map((s) => stepHost(s))).toEqual(['MAIL2', 'witness', 'MAIL1']);
    expect(notes[0]!.kind === 'command' && notes[0]!.description).toMatch(/MAIL2 has neither systemd nor SysV init scripts: nothing starts Failguard's agent when MAIL2 boots/);
  });

  it('reads what a host has from its one probe', () => {
    expect(parseHostNow('agent running\nsystemd no\nboot off\nadmission on\n')).toMatchObject({ agentRunning: true, systemd: false, boot: 'off', admission: 'on' });
    expect(parseHostNow('agent stopped\nsystemd yes\nboot none\nadmission none\n')).toMatchObject({ boot: 'none', admission: 'none' });
  });
});
