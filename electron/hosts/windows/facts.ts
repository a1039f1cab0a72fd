/**
 * A Windows + Exchange server's facts, from CliXml sections (live probe or recorded
 * sample). Not run live: only recorded outputs from Exchange 2013/2016/2019 feed it here.
 */
import type { Probed } from '../../../shared/probe.ts';
import { parseCliXml, type CliValue } from './clixml.ts';
import { WINDOWS_MARK } from './probe-script.ts';

type Obj = { [k: string]: CliValue };
const asObj = (v: CliValue | undefined): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const str = (v: CliValue | undefined): string | null => (v === null || v === undefined ? null : typeof v === 'object' ? (Array.isArray(v) ? null : (v._toString as string | null) ?? (v.name as string | null)) : String(v));
const num = (v: CliValue | undefined): number | null => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : null);

export interface WindowsFacts {
  platform: 'windows';
  exchange: Probed<{ name: string; fqdn: string; version: string; roles: string; edition: string; isMailboxServer: boolean; trialDaysLeft: number | null }>;
  dag: Probed<string | null>;
  services: Probed<Array<{ role: string; allRunning: boolean; notRunning: string[] }>>;
  os: Probed<{ caption: string; version: string; build: number; totalMemoryKb: number; freeMemoryKb: number; lastBoot: string }>;
  computer: Probed<{ domain: string; partOfDomain: boolean; logicalProcessors: number; automaticPagefile: boolean }>;
  nics: Probed<Array<{ name: string; speedBps: number | null }>>;
  nicConfig: Probed<Array<{ index: number | null; addresses: string[]; dns: string[]; dhcp: boolean }>>;
  pagefiles: Probed<Array<{ name: string; initialMb: number; maximumMb: number }>>;
  hotfixes: Probed<string[]>;
  productName: Probed<string>;
}

/** Splits the live probe's output into its sections (name -> CliXml text or error). */
export function splitWindowsSections(stdout: string): Map<string, { rc: number; text: string }> {
  const out = new Map<string, { rc: number; text: string }>();
  const marks = [...stdout.matchAll(new RegExp(`^${WINDOWS_MARK} (\\S+) (\\d+)\\r?$`, 'gm'))];
  marks.forEach((m, i) => out.set(m[1]!, { rc: Number(m[2]), text: stdout.slice(m.index! + m[0].length, i + 1 < marks.length ? marks[i + 1]!.index! : undefined).trim() }));
  return out;
}

function section<T>(sections: Map<string, { rc: number; text: string }>, name: string, read: (items: CliValue[]) => T): Probed<T> {
  const s = sections.get(name);
  const command = name;
  if (!s) return { ok: false, error: 'not probed', command, raw: '' };
  if (s.rc !== 0) return { ok: false, error: s.text.split('\n')[0] ?? 'failed', command, raw: s.text };
  try {
    const items = parseCliXml(s.text);
    // The live probe serialises @(...) as one list; recorded samples have the items at the top.
    const flat = items.length === 1 && Array.isArray(items[0]) ? (items[0] as CliValue[]) : items;
    return { ok: true, value: read(flat), command, raw: '' };
  } catch (e) {
    return { ok: false, error: `output not understood: ${(e as Error).message}`, command, raw: s.text.slice(0, 500) };
  }
}

export function parseWindowsFacts(sections: Map<string, { rc: number; text: string }>): WindowsFacts {
  return {
    platform: 'windows',
    exchange: section(sections, 'GetExchangeServer', ([e]) => {
      const o = asObj(e);
      const trial = asObj(o.RemainingTrialPeriod);
      return { name: str(o.Name) ?? '', fqdn: str(o.Fqdn) ?? '', version: str(o.AdminDisplayVersion) ?? '', roles: str(o.ServerRole) ?? '', edition: str(o.Edition) ?? '',
        isMailboxServer: o.IsMailboxServer === true, trialDaysLeft: num(trial.Days) };
    }),
    dag: section(sections, 'GetMailboxServer', ([m]) => str(asObj(m).DatabaseAvailabilityGroup)),
    services: section(sections, 'TestServiceHealth', (items) => items.map((i) => {
      const o = asObj(i);
      return { role: str(o.Role) ?? '', allRunning: o.RequiredServicesRunning === true, notRunning: (Array.isArray(o.ServicesNotRunning) ? o.ServicesNotRunning : []).map(String) };
    })),
    os: section(sections, 'Win32_OperatingSystem', ([x]) => {
      const o = asObj(x);
      return { caption: str(o.Caption) ?? '', version: str(o.Version) ?? '', build: num(o.BuildNumber) ?? 0, totalMemoryKb: num(o.TotalVisibleMemorySize) ?? 0, freeMemoryKb: num(o.FreePhysicalMemory) ?? 0, lastBoot: str(o.LastBootUpTime) ?? '' };
    }),
    computer: section(sections, 'Win32_ComputerSystem', ([x]) => {
      const o = asObj(x);
      return { domain: str(o.Domain) ?? '', partOfDomain: o.PartOfDomain === true, logicalProcessors: num(o.NumberOfLogicalProcessors) ?? 0, automaticPagefile: o.AutomaticManagedPagefile === true };
    }),
    nics: section(sections, 'Win32_NetworkAdapter', (items) => items.map((i) => ({ name: str(asObj(i).NetConnectionID) ?? str(asObj(i).Name) ?? '', speedBps: num(asObj(i).Speed) }))),
    nicConfig: section(sections, 'Win32_NetworkAdapterConfiguration', (items) => items.map((i) => {
      const o = asObj(i);
      return { index: num(o.InterfaceIndex), addresses: (Array.isArray(o.IPAddress) ? o.IPAddress : []).map(String), dns: (Array.isArray(o.DNSServerSearchOrder) ? o.DNSServerSearchOrder : []).map(String), dhcp: o.DHCPEnabled === true };
    })),
    pagefiles: section(sections, 'Win32_PageFileSetting', (items) => items.map((i) => ({ name: str(asObj(i).Name) ?? '', initialMb: num(asObj(i).InitialSize) ?? 0, maximumMb: num(asObj(i).MaximumSize) ?? 0 }))),
    hotfixes: section(sections, 'GetHotFix', (items) => items.map((i) => str(asObj(i).HotFixID) ?? '')),
    productName: section(sections, 'ProductName', (items) => String(items[0] ?? '')),
  };
}

/** Recorded samples: one CliXml file per section, named as in the fixtures folder. */
export function windowsFactsFromFiles(files: Record<string, string>): WindowsFacts {
  const rename: Record<string, string> = { HyperV_Win32_ComputerSystem: 'Win32_ComputerSystem', RemoteRegistryValueProductName: 'ProductName', Win32_PageFileWellConfigured: 'Win32_PageFileSetting' };
  const sections = new Map<string, { rc: number; text: string }>();
  for (const [file, text] of Object.entries(files)) sections.set(rename[file] ?? file, { rc: 0, text });
  return parseWindowsFacts(sections);
}
