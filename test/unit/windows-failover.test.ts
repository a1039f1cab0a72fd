/** Failover on Windows + Exchange (not run live): services from recorded Test-ServiceHealth outputs, scripts parsed as PowerShell, the plan's order. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { commands, errors, powershell } from './powershell.ts';
import { jobSchema } from '../../shared/job.ts';
import { eventLogScript, exchangeServicesOf, promoteVolumesScript, receiveConnectorsScript, servicesAnswerScript, startOrder, startServicesScript, stopServicesScript, windowsFailoverPlan } from '../../electron/failover/windows.ts';
import type { SrLayout } from '../../electron/provision/windows/storage-replica.ts';
import { planIntact } from '../../electron/plans/plan-id.ts';

const recorded = (version: string) => readFileSync(new URL(`../fixtures/exchange-recorded/${version}/TestServiceHealth.xml`, import.meta.url), 'utf8');

/** The string literals of the array the script iterates over, in order. */
const iterated = (script: string) => [...(/foreach \(\$name in @\(([^)]*)\)\)/.exec(script)?.[1] ?? '').matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"));

describe('the Exchange services a failover starts (not run live)', () => {
  it.each(['2013', '2016', '2019'])('Exchange %s: every service Test-ServiceHealth lists, the directory topology service first and IIS last', (v) => {
    const { services, notRunning } = exchangeServicesOf(recorded(v));
    expect(services.length).toBeGreaterThanOrEqual(10);
    expect(services).toContain('MSExchangeIS');
    expect(services.indexOf('MSExchangeADTopology')).toBeLessThan(services.indexOf('MSExchangeIS'));
    expect(services.indexOf('MSExchangeIS')).toBeLessThan(services.indexOf('W3Svc'));
    expect(notRunning).toEqual([]);
  });

  it('puts the user\'s own services after Exchange\'s, in the order given, once each', () => {
    expect(startOrder(['BackupAgent', 'W3Svc', 'msexchangeis', 'MSExchangeADTopology', 'AVScanner', 'BackupAgent'])).toEqual(['MSExchangeADTopology', 'msexchangeis', 'W3Svc', 'BackupAgent', 'AVScanner']);
  });
});

describe('mail admission on Exchange: receive connectors off while fenced (not run live)', () => {
  it.each([false, true])('enabled = %s: valid PowerShell that sets every connector of this server and checks none is left', async (enabled) => {
    const p = await powershell();
    const text = receiveConnectorsScript(enabled);
    expect(errors(p.parse(text)!.rootNode)).toEqual([]);
    expect(commands(p.parse(text)!.rootNode)).toEqual(expect.arrayContaining(['Get-ReceiveConnector', 'Set-ReceiveConnector', 'Add-PSSnapin']));
    expect(text.match(/-Enabled (\$true|\$false)/g)).toEqual([`-Enabled ${enabled ? '$true' : '$false'}`]);
  });
});

describe('the scripts', () => {
  const job = jobSchema.parse({ version: 1, id: '0d5e8f7a-6b4c-4d3e-9f2a-1b0c9d8e7f6a', name: 'EX', source: { name: 'EX01', address: '10.0.0.1' }, targets: [{ name: 'EX02', address: '10.0.0.2' }] });
  const layout: SrLayout = { jobId: job.id, source: 'EX01', target: job.targets[0]!, dataVolumes: ['E:', 'F:'], logVolume: 'L:', logSizeBytes: 8 * 2 ** 30 };
  const services = ['W3Svc', 'MSExchangeIS', 'MSExchangeADTopology', "Vendor's Agent"];

  it('are valid PowerShell that run the cmdlets failover relies on, with names quoted safely', async () => {
    const p = await powershell();
    const scripts = { start: startServicesScript(services), stop: stopServicesScript(services), answer: servicesAnswerScript(services), log: eventLogScript('failover-started', 'critical', "EX02 takes over from EX01's role"), promote: promoteVolumesScript(layout) };
    for (const [name, text] of Object.entries(scripts)) expect(errors(p.parse(text)!.rootNode), name).toEqual([]);
    expect(commands(p.parse(scripts.start)!.rootNode)).toEqual(expect.arrayContaining(['Get-Service', 'Set-Service', 'Start-Service']));
    expect(commands(p.parse(scripts.log)!.rootNode)).toEqual(['New-EventLog', 'Write-EventLog']);
    expect(commands(p.parse(scripts.promote)!.rootNode)).toContain('Set-SRPartnership');
    expect(iterated(scripts.start)).toEqual(['MSExchangeADTopology', 'MSExchangeIS', 'W3Svc', "Vendor's Agent"]);
    expect(iterated(scripts.stop)).toEqual(["Vendor's Agent", 'W3Svc', 'MSExchangeIS', 'MSExchangeADTopology']);
    expect(scripts.log).toContain("-EventId 1001 -EntryType Error -Message 'failover-started: EX02 takes over from EX01''s role'");
    expect(scripts.stop).toContain('Set-Service -Name $name -StartupType Manual');
  });

  it('make a plan that promotes the volumes before DNS and homes, starts the services after them, and can stop them again', () => {
    const dns = { kind: 'dns-record' as const, description: 'd', zone: 'ex.com', name: 'mail', type: 'A' as const, values: ['10.0.0.2'], previous: ['10.0.0.1'] };
    const plan = windowsFailoverPlan('EX', layout, services, [dns]);
    expect(planIntact(plan)).toBe(true);
    expect(plan.onFailure).toBe('stop');
    expect(plan.steps.map((s) => (s.kind === 'command' ? s.description.split(' ').slice(0, 2).join(' ') : s.kind))).toEqual(['Event Log:', 'make the', 'dns-record', 'start MSExchangeADTopology,', 'Event Log:']);
    const start = plan.steps[3]!;
    expect(start.kind === 'command' && start.verify && start.undo).toBeTruthy();
    expect(plan.steps.every((s) => s.kind !== 'command' || s.host === 'EX02')).toBe(true);
  });
});
