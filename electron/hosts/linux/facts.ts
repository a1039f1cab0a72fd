/**
 * A Linux mail host's facts, parsed from the probe script's sections. Pure: every field is
 * either a value or the reason the probe could not produce it (rules then say "error",
 * never pass or fail).
 */
import { LINUX_PROBES, splitSections, type RawSection } from './probe-script.ts';
import type { Probed } from '../../../shared/probe.ts';


export interface Mount { target: string; source: string; fstype: string; options: string[] }
/** Owner and group are numeric ids (names may not exist on every host); names kept for people. */
export interface PathInfo { path: string; owner: string; group: string; mode: string; type: string; ownerName?: string; groupName?: string }
export interface Link { name: string; mtu: number; up: boolean }
export interface Listener { address: string; port: number }

export interface LinuxFacts {
  platform: 'linux';
  osRelease: Probed<Record<string, string>>;
  hostname: Probed<{ short: string; fqdn: string }>;
  kernel: Probed<string>;
  clockEpoch: Probed<number>;
  timeSync: Probed<{ synchronised: boolean | null; source: string }>;
  user: Probed<{ uid: number; name: string }>;
  packages: Probed<Record<string, { installed: boolean; version: string }>>;
  commands: Probed<Record<string, string | null>>;
  processes: Probed<Record<string, number | null>>;
  listening: Probed<Listener[]>;
  srvMount: Probed<Mount | null>;
  srvSpace: Probed<{ size: number; used: number; avail: number; inodes: number; inodesUsed: number }>;
  /** The block device under /srv and how much of it the btrfs file system uses. */
  srvDevice: Probed<{ deviceBytes: number; fsBytes: number } | null>;
  subvolumes: Probed<{ list: string[]; mailIsSubvolume: boolean }>;
  dataPaths: Probed<PathInfo[]>;
  postfix: Probed<Record<string, string>>;
  postfixQueue: Probed<Record<string, number>>;
  dovecot: Probed<Record<string, string>>;
  links: Probed<Link[]>;
  addresses: Probed<Array<{ iface: string; cidr: string }>>;
  routes: Probed<string[]>;
  firewall: Probed<{ iptables: string[]; nft: string }>;
  resolv: Probed<{ nameservers: string[]; search: string[] }>;
  hostsFile: Probed<string[]>;
  selfResolve: Probed<string | null>;
  memory: Probed<{ totalKb: number; availableKb: number; swapKb: number }>;
  cpu: Probed<{ cores: number; load1: number }>;
  sysctl: Probed<Record<string, string>>;
  agentDir: Probed<PathInfo | null>;
}

const commandOf = new Map(LINUX_PROBES);

function probed<T>(sections: Map<string, RawSection>, name: string, parse: (out: string) => T, acceptRc: (rc: number) => boolean = (rc) => rc === 0): Probed<T> {
  const s = sections.get(name);
  const command = commandOf.get(name) ?? name;
  if (!s) return { ok: false, error: 'the probe printed nothing for this (the script was cut short)', command, raw: '' };
  if (!acceptRc(s.rc)) return { ok: false, error: `exit code ${s.rc}: ${s.output.split('\n').slice(-2).join(' ').trim() || 'no output'}`, command, raw: s.output };
  try {
    return { ok: true, value: parse(s.output), command, raw: s.output };
  } catch (e) {
    return { ok: false, error: `output not understood: ${(e as Error).message}`, command, raw: s.output };
  }
}

const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
const kv = (s: string, sep: RegExp) => Object.fromEntries(lines(s).filter((l) => !l.startsWith('#')).map((l) => { const i = l.search(sep); return i < 0 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i).replace(sep, '').trim()]; }));
const tabs = (s: string) => lines(s).map((l) => l.split('\t'));

export function parseLinuxFacts(stdout: string): LinuxFacts {
  const s = splitSections(stdout);
  return {
    platform: 'linux',
    osRelease: probed(s, 'os-release', (o) => Object.fromEntries(Object.entries(kv(o, /=/)).map(([k, v]) => [k, v.replace(/^"|"$/g, '')]))),
    hostname: probed(s, 'hostname', (o) => { const [short, fqdn] = lines(o); return { short: short ?? '', fqdn: fqdn ?? short ?? '' }; }),
    kernel: probed(s, 'kernel', (o) => o.trim()),
    clockEpoch: probed(s, 'clock', (o) => { const n = Number(o.trim()); if (!Number.isFinite(n)) throw new Error('not a time'); return n; }),
    timeSync: probed(s, 'time-sync', (o) => {
      if (o.trim() === 'none') return { synchronised: null, source: 'none' };
      if (/NTPSynchronized=yes/.test(o) || /Leap status\s*:\s*Normal/.test(o)) return { synchronised: true, source: o.split('\n')[0]! };
      return { synchronised: false, source: o.split('\n')[0]! };
    }),
    user: probed(s, 'whoami', (o) => { const [uid, name] = lines(o); return { uid: Number(uid), name: name ?? '' }; }),
    packages: probed(s, 'packages', (o) => Object.fromEntries(tabs(o).map(([p, st, v]) => [p!, { installed: (st ?? '').startsWith('ii'), version: v ?? '' }]))),
    commands: probed(s, 'commands', (o) => Object.fromEntries(tabs(o).map(([c, p]) => [c!, p && p !== '-' ? p : null]))),
    processes: probed(s, 'processes', (o) => Object.fromEntries(tabs(o).map(([p, pid]) => [p!, pid ? Number(pid) : null]))),
    listening: probed(s, 'listening', (o) => lines(o).map((l) => { const local = l.split(/\s+/)[3] ?? ''; const i = local.lastIndexOf(':'); return { address: local.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(local.slice(i + 1)) }; })),
    // Mounts stacked on /srv are listed bottom first: the last one is what programs see.
    srvMount: probed(s, 'srv-mount', (o) => { const [target, source, fstype, options] = (o.trim().split('\n').at(-1) ?? '').trim().split(/\s+/); return target ? { target, source: source ?? '', fstype: fstype ?? '', options: (options ?? '').split(',') } : null; }, (rc) => rc === 0 || rc === 1),
    srvSpace: probed(s, 'srv-df', (o) => { const [size, used, avail, inodes, inodesUsed] = o.trim().split(/\s+/).map(Number); return { size: size!, used: used!, avail: avail!, inodes: inodes ?? 0, inodesUsed: inodesUsed ?? 0 }; }),
    srvDevice: probed(s, 'srv-device', (o) => {
      const dev = /^device (\d+)/m.exec(o);
      const fs = /devid\s+\d+\s+size\s+(\d+)/.exec(o);
      return dev && fs ? { deviceBytes: Number(dev[1]), fsBytes: Number(fs[1]) } : null;
    }, () => true),
    subvolumes: probed(s, 'subvolumes', (o) => ({ list: lines(o).filter((l) => l.startsWith('ID ')).map((l) => l.replace(/^.* path /, '').replace(/^<FS_TREE>\//, '')).filter((p) => !p.startsWith('.failguard/')), mailIsSubvolume: /mail-is-subvolume yes/.test(o) })),
    dataPaths: probed(s, 'data-paths', (o) => tabs(o).map(([path, owner, group, mode, type, ownerName, groupName]) => ({ path: path!, owner: owner ?? 'missing', group: group ?? '', mode: mode ?? '', type: type ?? '', ...(ownerName ? { ownerName, groupName: groupName ?? '' } : {}) }))),
    postfix: probed(s, 'postfix', (o) => kv(o, /\s*=\s*/)),
    postfixQueue: probed(s, 'postfix-queue', (o) => Object.fromEntries(tabs(o).map(([d, n]) => [d!, Number(n)]))),
    dovecot: probed(s, 'dovecot', (o) => kv(o, /\s*=\s*/), (rc) => rc === 0 || rc === 1),
    links: probed(s, 'links', (o) => lines(o).map((l) => { const m = /^\d+:\s+([^:@]+)[^:]*:\s+<([^>]*)>.*\bmtu (\d+)/.exec(l); if (!m) throw new Error(l); return { name: m[1]!, up: m[2]!.split(',').includes('UP'), mtu: Number(m[3]) }; })),
    addresses: probed(s, 'addresses', (o) => lines(o).map((l) => { const f = l.split(/\s+/); return { iface: f[1]!, cidr: f[3]! }; })),
    routes: probed(s, 'routes', lines),
    firewall: probed(s, 'firewall', (o) => { const [ipt, nft] = o.split('--nft--'); return { iptables: lines(ipt ?? ''), nft: (nft ?? '').trim() }; }),
    resolv: probed(s, 'resolv', (o) => ({ nameservers: lines(o).filter((l) => l.startsWith('nameserver')).map((l) => l.split(/\s+/)[1]!), search: lines(o).filter((l) => /^(search|domain)\s/.test(l)).flatMap((l) => l.split(/\s+/).slice(1)) })),
    hostsFile: probed(s, 'hosts-file', (o) => lines(o).filter((l) => !l.startsWith('#'))),
    selfResolve: probed(s, 'self-resolve', (o) => o.trim().split(/\s+/)[0] || null, (rc) => rc === 0 || rc === 2),
    memory: probed(s, 'memory', (o) => { const m = kv(o, /:\s*/); const kb = (k: string) => Number((m[k] ?? '0').replace(/\s*kB$/, '')); return { totalKb: kb('MemTotal'), availableKb: kb('MemAvailable'), swapKb: kb('SwapTotal') }; }),
    cpu: probed(s, 'cpu', (o) => { const [cores, load] = lines(o); return { cores: Number(cores), load1: Number((load ?? '0').split(' ')[0]) }; }),
    sysctl: probed(s, 'sysctl', (o) => Object.fromEntries(tabs(o).map(([k, v]) => [k!, v ?? '']))),
    agentDir: probed(s, 'agent-dir', (o) => { if (o.trim() === 'missing') return null; const [path, owner, group, mode] = o.trim().split('\t'); return { path: path!, owner: owner!, group: group!, mode: mode!, type: 'directory' }; }),
  };
}
