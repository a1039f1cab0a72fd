/** The Windows engine (not run live): Storage Replica scripts parse as PowerShell; status parsing on CliXml samples. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { commands, errors, powershell } from './powershell.ts';
import { jobSchema } from '../../shared/job.ts';
import type { ProtectionSet } from '../../shared/protection-set.ts';
import { bandwidthScript, dataVolumesOf, groupNames, partnershipScript, removeScript, statusScript, topologyTestScript, windowsProvisioningPlan, type SrLayout } from '../../electron/provision/windows/storage-replica.ts';
import { planIntact } from '../../electron/plans/plan-id.ts';
import { parseSrGroups, srTargetStatus } from '../../electron/provision/windows/sr-status.ts';

const sample = (n: string) => readFileSync(new URL(`../fixtures/storage-replica/${n}`, import.meta.url), 'utf8');


const job = jobSchema.parse({ version: 1, id: '0d5e8f7a-6b4c-4d3e-9f2a-1b0c9d8e7f6a', name: 'EX', source: { name: 'EX01', address: '10.0.0.1' },
  targets: [{ name: 'EX02', address: '10.0.0.2', options: { compression: 'fast', schedule: 'mon-fri 08-18 20mbit' } }] });
// A job refuses such a name; the scripts still quote whatever name reaches them.
const layout: SrLayout = { jobId: job.id, source: 'EX01', target: { ...job.targets[0]!, name: "EX02'b" }, dataVolumes: ['E:', 'F:'], logVolume: 'L:', logSizeBytes: 8 * 2 ** 30 };
const set = (paths: string[]): ProtectionSet => ({ server: 'EX01', notes: [], items: paths.map((path) => ({ path, kind: 'file', purpose: 'database', databases: ['DB1'], pattern: null })) });

describe('Storage Replica scripts (not run live)', () => {
  it('are valid PowerShell, run the cmdlets the engine relies on, and quote names safely', async () => {
    const p = await powershell();
    const scripts = { topology: topologyTestScript(layout), partnership: partnershipScript(layout), bandwidth: bandwidthScript(layout), status: statusScript(), remove: removeScript(layout) };
    for (const [name, text] of Object.entries(scripts)) expect(errors(p.parse(text)!.rootNode), name).toEqual([]);
    expect(commands(p.parse(scripts.topology)!.rootNode)).toContain('Test-SRTopology');
    expect(commands(p.parse(scripts.partnership)!.rootNode)).toEqual(expect.arrayContaining(['Get-SRPartnership', 'New-SRPartnership', 'Set-SRGroup']));
    expect(scripts.partnership).toMatch(/-ReplicationMode Asynchronous/);
    expect(scripts.partnership).toContain("-SourceVolumeName 'E:', 'F:'");
    expect(scripts.partnership).toContain(`-SourceRGName '${groupNames(job.id).source}'`);
    expect(scripts.partnership).toContain("-DestinationComputerName 'EX02''b'");
    expect(scripts.partnership).toContain('-Compression $true');
    expect(partnershipScript({ ...layout, target: { ...layout.target, options: { ...layout.target.options, compression: 'off' } } })).toContain('-Compression $false');
    expect(commands(p.parse(scripts.bandwidth)!.rootNode)).toEqual(expect.arrayContaining(['Register-ScheduledTask', 'Install-WindowsFeature']));
    // The schedule's 168 hourly limits: Monday 08:00 is 20 Mbit/s (2.5 MB/s), Monday 07:00 unlimited (0).
    const table = /\$limits = @\(([\d,]+)\)/.exec(scripts.bandwidth)![1]!.split(',').map(Number);
    expect(table).toHaveLength(168);
    expect([table[7], table[8], table[17], table[18], table[5 * 24 + 9]]).toEqual([0, 2_500_000, 2_500_000, 0, 0]);
    expect(() => bandwidthScript({ ...layout, target: { ...layout.target, options: { ...layout.target.options, schedule: 'someday 08-18 fast' } } })).toThrow(/schedule: rule 1/);
  });

  it('make a sealed plan of verified, undoable PowerShell steps for the one plan engine', async () => {
    const p = await powershell();
    const plan = windowsProvisioningPlan(job.name, layout);
    expect(planIntact(plan)).toBe(true);
    expect(plan.onFailure).toBe('undo');
    const decode = (c: string) => Buffer.from(/-EncodedCommand (\S+)$/.exec(c)![1]!, 'base64').toString('utf16le');
    for (const st of plan.steps) {
      if (st.kind !== 'command') throw new Error('a Windows step is a command');
      for (const c of [st.command, st.verify, st.undo].filter((x): x is string => !!x)) expect(errors(p.parse(decode(c))!.rootNode)).toEqual([]);
    }
    expect(plan.steps.map((st) => st.kind === 'command' && !!st.undo)).toEqual([false, true, true]);
    expect(decode((plan.steps[1] as { command: string }).command)).toBe(partnershipScript(layout));
    // Another schedule is another plan.
    expect(windowsProvisioningPlan(job.name, { ...layout, target: { ...layout.target, options: { ...layout.target.options, schedule: '' } } }).id).not.toBe(plan.id);
  });

  it('replicate every data volume of the protection set as one group, and refuse the system volume', () => {
    expect(dataVolumesOf(set(['E:\\DB1\\DB1.edb', 'f:\\Logs\\DB1', 'E:\\DB2\\DB2.edb']))).toEqual(['E:', 'F:']);
    expect(() => dataVolumesOf(set(['C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Mailbox\\DB1\\DB1.edb']))).toThrow(/system volume C:/);
    expect(() => dataVolumesOf(set(['\\\\nas\\share\\DB1.edb']))).toThrow(/not on a local drive/);
  });
});

describe('Storage Replica status (samples in test/fixtures/storage-replica)', () => {
  const now = Date.parse('2026-11-30T10:00:03.000Z');
  it('reads an initial block copy: share done from the bytes remaining, no RPO yet', () => {
    const r = parseSrGroups(sample('status-initial-block-copy.txt'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.groups.map((g) => [g.computer, g.primary, g.status, g.replicas.length])).toEqual([['EX01', true, 'ContinuouslyReplicating', 2], ['EX02', false, 'InitialBlockCopy', 2]]);
    expect(srTargetStatus(r.groups, now)).toEqual([expect.objectContaining({ computer: 'EX02', phase: 'initial-sync', remainingBytes: 60e9, share: 0.5, rpoSeconds: null })]);
  });

  it('reads continuous replication: the RPO is the age of the volume least recently in sync', () => {
    const r = parseSrGroups(sample('status-continuously-replicating.txt'));
    if (!r.ok) throw new Error(r.error);
    const [t] = srTargetStatus(r.groups, now);
    expect(t).toMatchObject({ phase: 'replicating', remainingBytes: 4096, share: null, rpoSeconds: 5 });
    expect(t!.volumes.map((v) => v.volume)).toEqual(['E:', 'F:']);
  });

  it('says in plain words when Storage Replica is not installed', () => {
    expect(parseSrGroups(sample('status-not-installed.txt'))).toEqual({ ok: false, error: 'Storage Replica is not installed on this server (Install-WindowsFeature Storage-Replica).' });
  });
});
