/**
 * Pre-flight facts for rule tests: parsed from real probe output recorded on the lab's
 * hosts (test/fixtures/linux-probe), then changed one thing at a time by each case.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { windowsFactsFromFiles } from '../../../electron/hosts/windows/facts.ts';
import { parseLinuxFacts, type LinuxFacts } from '../../../electron/hosts/linux/facts.ts';
import type { HostFacts, PreflightFacts } from '../../../electron/preflight/facts.ts';
import type { PathFacts } from '../../../shared/probe.ts';
import { parseExchangeVersion, type Topology } from '../../../shared/topology.ts';

const fixture = (name: string) => parseLinuxFacts(readFileSync(new URL(`../../fixtures/linux-probe/${name}.txt`, import.meta.url), 'utf8'));

const okP = <T>(value: T, command = 'test') => ({ ok: true as const, value, command, raw: '' });

function path(peer: string, over: Partial<PathFacts> = {}): PathFacts {
  return { peer, replicationPort: okP('refused' as const), ssh: okP('open' as const), pathMtu: okP({ mtu: 1500, rttMs: 0.2 }), ...over };
}

function host(role: HostFacts['role'], name: string, address: string, linux: LinuxFacts, paths: PathFacts[] = []): HostFacts {
  const choices = { services: { dovecot: okP('command' as const), postfix: okP('command' as const) }, receivers: [okP({ state: 'open' as const, banner: '220 recv.lab.test ESMTP' }), okP({ state: 'route' as const, banner: '' })] };
  return { role, name, address, reach: { ok: true, hostKey: `SHA256:${name}` }, linux, paths, ...(role === 'target' ? { dcPath: okP('open' as const) } : {}), ...(role !== 'witness' ? { choices } : {}) };
}

function topology(): Topology {
  const v = parseExchangeVersion('Version 14.3 (Build 123.4)');
  const server = (name: string) => ({ name, dn: `CN=${name}`, fqdn: `${name.toLowerCase()}.lab.test`, adminGroup: 'AG', site: 'Site', version: v, roles: ['mailbox', 'clientAccess', 'hubTransport'] as Topology['servers'][0]['roles'], dag: null, legacyExchangeDN: null });
  const db = (name: string, srv: string, mailboxes: number) => ({ name, dn: `CN=${name}`, kind: 'mailbox' as const, server: srv, storageGroup: null, edbFile: `C:\\${name}.edb`, streamingFile: null, logFolder: 'C:\\L', systemFolder: 'C:\\L', logPrefix: 'E00', dag: null, mailboxes });
  return { discoveredAt: '', directory: { dcHost: 'dc1.lab.test', defaultNamingContext: 'DC=lab,DC=test', configurationNamingContext: 'CN=Configuration,DC=lab,DC=test', dnsDomain: 'lab.test' },
    organisation: { name: 'Org', dn: 'CN=Org', legacyExchangeDN: null }, adminGroups: ['AG'], servers: [server('MAIL1'), server('MAIL2')], storageGroups: [],
    databases: [db('DB1', 'MAIL1', 500), db('DB2', 'MAIL2', 0)], dags: [] };
}

/** A set-up where every rule passes (bar the lab's known warnings, which the builder fixes too). */
export function goodFacts(): PreflightFacts {
  const [m1, m2, w] = [fixture('mail1'), fixture('mail2'), fixture('witness')];
  for (const l of [m1, m2, w]) {
    if (l.timeSync.ok) l.timeSync.value = { synchronised: true, source: 'chrony' };
    if (l.sysctl.ok) l.sysctl.value['net.ipv4.tcp_keepalive_time'] = '600';
    if (l.clockEpoch.ok) l.clockEpoch.value = 1_800_000_000;
  }
  // mail2 is the standby: its services are stopped in the recording.
  return {
    controllerClock: 1_800_000_000,
    replicationPort: 7420,
    source: host('source', 'MAIL1', '198.18.0.11', m1, [path('witness')]),
    targets: [host('target', 'MAIL2', '198.18.0.12', m2, [path('MAIL1'), path('witness')])],
    witness: host('witness', 'witness', '198.18.0.13', w, [path('MAIL1'), path('MAIL2')]),
    directory: {
      dnsDomain: 'lab.test', dcAddress: '198.18.0.10', topology: okP(topology()),
      dns: {
        forward: { MAIL1: okP(['198.18.0.11']), MAIL2: okP(['198.18.0.12']), witness: okP(['198.18.0.13']) },
        reverse: { MAIL1: okP<string | null>('mail1.lab.test'), MAIL2: okP<string | null>('mail2.lab.test'), witness: okP<string | null>('witness.lab.test') },
        clientName: 'mail.lab.test', clientA: okP(['198.18.0.11']), mx: okP(['mail.lab.test']),
      },
    },
    choices: {
      services: ['dovecot', 'postfix'],
      alerts: [{ kind: 'smtp', host: '198.18.0.20', port: 25, from: 'failguard@lab.test', to: ['ops@lab.test'] }, { kind: 'syslog', host: '198.18.0.20', port: 514, transport: 'udp' }],
      dns: [
        { record: { zone: 'lab.test', name: 'mail', type: 'A', ttl: 60 }, values: okP(['198.18.0.11']), ttl: 300, writable: okP(true), keyTest: null },
        { record: { zone: 'example.test', name: '@', type: 'MX', ttl: 60, server: { address: '198.18.0.20', port: 53, key: 'failguard-update', algorithm: 'hmac-sha256' } },
          values: okP(['10 mail1.lab.test']), ttl: 60, writable: null, keyTest: okP({ accepted: true, answer: 'NOERROR' }) },
      ],
    },
  };
}

/** Mutable shortcuts for cases. */
export const src = (f: PreflightFacts) => f.source.linux!;
export const tgt = (f: PreflightFacts) => f.targets[0]!.linux!;
export function val<T>(p: { ok: boolean; value?: T }): T {
  if (!p.ok) throw new Error('fixture probe failed');
  return p.value as T;
}

/** Windows + Exchange servers from the recorded Exchange 2019 outputs (not run live). */
export function goodWindowsFacts(): PreflightFacts {
  const f = goodFacts();
  const dir = new URL('../../fixtures/exchange-recorded/2019/', import.meta.url).pathname;
  const files = Object.fromEntries(readdirSync(dir).filter((n) => n.endsWith('.xml')).map((n) => [n.replace(/\.xml$/, ''), readFileSync(`${dir}${n}`, 'utf8')]));
  for (const h of [f.source, ...f.targets]) {
    h.linux = undefined;
    h.windows = windowsFactsFromFiles(files);
    // The 2019 server manages its page file automatically; the well-configured page file sample comes
    // from a host where that is off, so the good set-up says so too.
    if (h.windows.computer.ok) h.windows.computer.value.automaticPagefile = false;
  }
  const dns = f.source.windows!.nicConfig.ok ? f.source.windows!.nicConfig.value[0]!.dns[0] : undefined;
  if (dns) f.directory!.dcAddress = dns;
  return f;
}
