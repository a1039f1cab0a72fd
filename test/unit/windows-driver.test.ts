import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { errors, powershell as powershellParser } from './powershell.ts';
import { windowsProbeScript, WINDOWS_SECTIONS, WINDOWS_MARK } from '../../electron/hosts/windows/probe-script.ts';
import { parseCliXml, unescapeCliXml } from '../../electron/hosts/windows/clixml.ts';
import { parseWindowsFacts, splitWindowsSections, windowsFactsFromFiles } from '../../electron/hosts/windows/facts.ts';
import { RULES } from '../../electron/preflight/rules/index.ts';

// Byte-for-byte copies of ../shared/fixtures/exchange-recorded (MIT, see its README and LICENSE).
const FIXTURES = new URL('../fixtures/exchange-recorded/', import.meta.url).pathname;
const recorded = (version: string) => Object.fromEntries(readdirSync(`${FIXTURES}${version}`).filter((n) => n.endsWith('.xml')).map((n) => [n.replace(/\.xml$/, ''), readFileSync(`${FIXTURES}${version}/${n}`, 'utf8')]));

describe('the Windows probe (not run live)', () => {
  it('is valid PowerShell (tree-sitter-powershell finds no syntax error)', async () => {
    const parser = await powershellParser();
    const tree = parser.parse(windowsProbeScript())!;
    expect(errors(tree.rootNode)).toEqual([]);
    // A deliberately broken script is caught, so the check above can fail.
    expect(errors(parser.parse('function f( { Write-Output "x" ')!.rootNode).length).toBeGreaterThan(0);
  });

  it('probes every section the facts need', () => {
    expect(WINDOWS_SECTIONS.map(([n]) => n)).toEqual(expect.arrayContaining(['GetExchangeServer', 'TestServiceHealth', 'Win32_OperatingSystem', 'Win32_ComputerSystem', 'Win32_NetworkAdapterConfiguration', 'Win32_PageFileSetting']));
  });

  it('every Windows fix command is valid PowerShell too', async () => {
    const parser = await powershellParser();
    const { goodWindowsFacts } = await import('./rules/facts-builder.ts');
    const { FAIL } = await import('./rules/cases.ts');
    for (const rule of RULES.filter((r) => r.meta.platform === 'windows' && r.fix)) {
      const f = goodWindowsFacts();
      FAIL[rule.meta.id]!(f);
      for (const finding of rule.evaluate(f).filter((x) => x.outcome === 'failure' || x.outcome === 'warning')) {
        for (const step of rule.fix!.plan(f, finding)!.steps) {
          if (step.kind !== 'command') throw new Error(`${rule.meta.id}: a Windows fix is a command`);
          const inner = /-Command "(.*)"$/.exec(step.command)?.[1] ?? step.command;
          expect(errors(parser.parse(inner)!.rootNode), `${rule.meta.id}: ${inner}`).toEqual([]);
        }
      }
    }
  }, 60_000);
});

describe('CliXml from real Exchange servers', () => {
  it('reads objects, enums, lists, references and escapes', () => {
    const [svc] = parseCliXml(recorded('2019').GetServiceMitigation!) as Array<Record<string, unknown>>;
    expect(svc!.Status).toEqual({ name: 'Running', value: 4 });
    expect(svc!.RequiredServices).toBe(svc!.ServicesDependedOn);
    expect(parseCliXml(recorded('2019').RemoteRegistryValueProductName!)).toEqual(['Windows Server 2019 Datacenter']);
    expect(parseCliXml(recorded('2016').Win32_PageFileSetting!)).toEqual([]);
    expect(unescapeCliXml('a_x000D__x000A_b')).toBe('a\r\nb');
  });

  it.each([
    ['2013', 'Version 15.0 (Build 1497.2)', 'Mailbox, ClientAccess', 4, 'Windows Server 2012 R2 Datacenter'],
    ['2016', 'Version 15.1 (Build 2375.7)', 'Mailbox', 4, 'Windows Server 2016 Datacenter'],
    ['2019', 'Version 15.2 (Build 986.5)', 'Mailbox', 3, 'Windows Server 2019 Datacenter'],
  ])('Exchange %s: version, roles, services, OS, network', (version, adminVersion, roles, serviceRoles, product) => {
    const w = windowsFactsFromFiles(recorded(version));
    expect(w.exchange).toMatchObject({ ok: true, value: { version: adminVersion, roles, isMailboxServer: true } });
    expect(w.services.ok && w.services.value.length).toBe(serviceRoles);
    expect(w.services.ok && w.services.value.every((s) => s.allRunning && s.notRunning.length === 0)).toBe(true);
    expect(w.productName).toMatchObject({ ok: true, value: product });
    expect(w.computer.ok && w.computer.value.partOfDomain).toBe(true);
    expect(w.nics.ok && w.nics.value[0]!.speedBps).toBe(10_000_000_000);
    expect(w.nicConfig.ok && w.nicConfig.value[0]!.addresses.length).toBeGreaterThan(0);
    expect(w.os.ok && w.os.value.totalMemoryKb).toBeGreaterThan(1_000_000);
    expect(w.dag).toMatchObject({ ok: true, value: null });
  });

  it('splits the live probe\'s output and keeps a failed section as an error', () => {
    const text = `${WINDOWS_MARK} GetExchangeServer 1\nThe term 'Get-ExchangeServer' is not recognized\n${WINDOWS_MARK} ProductName 0\n${recorded('2019').RemoteRegistryValueProductName}\n${WINDOWS_MARK} end 0\n`;
    const w = parseWindowsFacts(splitWindowsSections(text));
    expect(w.exchange).toMatchObject({ ok: false, error: expect.stringContaining('not recognized') });
    expect(w.productName).toMatchObject({ ok: true, value: 'Windows Server 2019 Datacenter' });
    expect(w.services).toMatchObject({ ok: false });
  });
});
