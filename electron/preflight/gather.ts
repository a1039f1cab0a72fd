/**
 * Probing, apart from judging: one batched script per host, hosts in parallel, the
 * directory and its DNS beside them. Whatever cannot be probed is recorded as such.
 */
import type { PreflightRequest, HostRole } from '../../shared/preflight.ts';
import { REPLICATION_PORT } from '../../shared/preflight.ts';
import type { HostTarget } from '../../shared/hosts.ts';
import type { Topology } from '../../shared/topology.ts';
import { plainMessage, toUserError, UserError } from '../../shared/errors.ts';
import { isIP } from 'node:net';
import { discover } from '../directory/discover.ts';
import { locateDcs } from '../directory/dc-locator.ts';
import { DnsError, resolve4, resolveMx, resolvePtr } from '../directory/dns-client.ts';
import { linuxProbeScript } from '../hosts/linux/probe-script.ts';
import { parseLinuxFacts } from '../hosts/linux/facts.ts';
import type { Probed } from '../../shared/probe.ts';
import { parsePathProbe, pathProbeScript, type Peer } from '../hosts/linux/path-probe.ts';
import type { SshPool } from '../hosts/ssh-pool.ts';
import { windowsProbeCommand } from '../hosts/windows/probe-script.ts';
import { parseWindowsFacts, splitWindowsSections } from '../hosts/windows/facts.ts';
import type { DirectoryFacts, HostFacts, PreflightFacts } from './facts.ts';
import { choicesProbeScript, parseChoicesProbe } from '../hosts/linux/choices-probe.ts';
import { gatherDnsChoices } from './gather-choices.ts';

export interface GatherOptions {
  pool: SshPool;
  signal?: AbortSignal;
  onProgress?: (stage: string) => void;
  /** How long one host's probe script may run (default 60 s); a probe that takes longer is an error for that host only. */
  probeTimeoutMs?: number;
}

async function probeDns<T>(command: string, fn: () => Promise<T>): Promise<Probed<T>> {
  try {
    return { ok: true, value: await fn(), command, raw: '' };
  } catch (e) {
    if (e instanceof DnsError && (e.code === 'NXDOMAIN' || e.code === 'NODATA')) return { ok: true, value: [] as unknown as T, command, raw: e.code };
    return { ok: false, error: plainMessage(e), command, raw: '' };
  }
}

async function gatherDirectory(req: PreflightRequest, hosts: HostTarget[], dcAddress: string, signal?: AbortSignal): Promise<DirectoryFacts | null> {
  if (!req.directory) return null;
  let topology: Probed<Topology>;
  try {
    topology = { ok: true, value: await discover(req.directory, { signal }), command: 'LDAP: Exchange organisation', raw: '' };
  } catch (e) {
    topology = { ok: false, error: plainMessage(e), command: 'LDAP: Exchange organisation', raw: '' };
  }
  const dnsDomain = topology.ok ? topology.value.directory.dnsDomain : req.directory.target.kind === 'domain' ? req.directory.target.domain : '';
  const clientName = `mail.${dnsDomain}`;
  const forward: DirectoryFacts['dns']['forward'] = {};
  const reverse: DirectoryFacts['dns']['reverse'] = {};
  await Promise.all(hosts.map(async (h) => {
    forward[h.name] = await probeDns(`A ${h.name.toLowerCase()}.${dnsDomain}`, () => resolve4(`${h.name.toLowerCase()}.${dnsDomain}`, dcAddress));
    reverse[h.name] = await probeDns(`PTR ${h.address}`, () => resolvePtr(h.address, dcAddress));
  }));
  return {
    dnsDomain, dcAddress, topology,
    dns: { forward, reverse, clientName, clientA: await probeDns(`A ${clientName}`, () => resolve4(clientName, dcAddress)), mx: await probeDns(`MX ${dnsDomain}`, () => resolveMx(dnsDomain, dcAddress)) },
  };
}

/** One host's facts; a probe that fails or hangs becomes that host's `probeError` (its checks say "error"), never a failed run. */
async function gatherHost(target: HostTarget, role: HostRole, peers: Peer[], req: PreflightRequest, dcAddress: string | undefined, o: GatherOptions): Promise<HostFacts> {
  const base = { role, name: target.name, address: target.address, paths: [] };
  try {
    return await probeHost(target, base, peers, req, dcAddress, o);
  } catch (e) {
    // A cancel stops the whole run; anything else is this host's problem alone.
    if (o.signal?.aborted || (e instanceof UserError && e.code === 'host-cancelled')) throw e;
    const host = await o.pool.get(target).catch(() => null);
    return { ...base, reach: host ? { ok: true, hostKey: host.hostKey.fingerprint } : { ok: false, code: 'host-error', error: plainMessage(e) }, probeError: plainMessage(e) };
  }
}

async function probeHost(target: HostTarget, base: Pick<HostFacts, 'role' | 'name' | 'address' | 'paths'>, peers: Peer[], req: PreflightRequest, dcAddress: string | undefined, o: GatherOptions): Promise<HostFacts> {
  const timeoutMs = o.probeTimeoutMs ?? 60_000;
  let host;
  try {
    host = await o.pool.get(target);
  } catch (e) {
    const err = toUserError(e, 'host-error');
    return { ...base, reach: { ok: false, code: err.code, error: err.message } };
  }
  o.onProgress?.(`Probing ${target.name}`);
  // The platform is probed, not assumed: Linux answers uname; Windows (OpenSSH with cmd or PowerShell) does not.
  const uname = await host.exec('uname -s', { timeoutMs: 20_000, signal: o.signal }).catch((e: unknown) => {
    if (e instanceof UserError && e.code === 'host-cancelled') throw e;
    return { code: 1, stdout: '' };
  });
  if (uname.code !== 0 || !/linux/i.test(uname.stdout)) {
    const win = await host.exec(windowsProbeCommand(), { timeoutMs: timeoutMs * 2, signal: o.signal });
    return { ...base, reach: { ok: true, hostKey: host.hostKey.fingerprint }, windows: parseWindowsFacts(splitWindowsSections(win.stdout)) };
  }
  const facts = await host.exec('bash -s', { stdin: linuxProbeScript(base.role === 'witness' ? 'witness' : 'mail'), timeoutMs, signal: o.signal });
  const linux = parseLinuxFacts(facts.stdout);
  const paths = await host.exec('bash -s', { stdin: pathProbeScript(peers, req.replicationPort ?? REPLICATION_PORT, dcAddress), timeoutMs, signal: o.signal });
  const parsed = parsePathProbe(paths.stdout, peers, req.replicationPort ?? REPLICATION_PORT);
  const c = req.choices;
  const choices = c && base.role !== 'witness'
    ? parseChoicesProbe((await host.exec('bash -s', { stdin: choicesProbeScript(c.services, c.alerts), timeoutMs, signal: o.signal })).stdout, c.services, c.alerts)
    : undefined;
  return { ...base, reach: { ok: true, hostKey: host.hostKey.fingerprint }, linux, paths: parsed.paths, ...(parsed.dc ? { dcPath: parsed.dc } : {}), ...(choices ? { choices } : {}) };
}

export async function gatherFacts(req: PreflightRequest, options: GatherOptions): Promise<PreflightFacts> {
  const all = [req.source, ...req.targets, ...(req.witness ? [req.witness] : [])];
  // Progress per host: each host's probes finish on their own; say which and how many are left.
  let finished = 0;
  const o: GatherOptions = { ...options, onProgress: (stage) => options.onProgress?.(`${stage} (${finished} of ${all.length} hosts done)`) };
  const counted = async (p: Promise<HostFacts>) => { const h = await p; finished++; options.onProgress?.(`${h.name}: ${h.reach.ok ? 'probed' : 'not reachable'} (${finished} of ${all.length} hosts done)`); return h; };
  // The DC is located once: the directory facts query its DNS, the targets probe its LDAPS port.
  // Only an IP address ever reaches a probe or a fix (the request's schema says so too; this holds for any caller).
  const given = req.directory?.target.dnsServer?.trim();
  if (given && isIP(given) === 0) throw new UserError('bad-input', `The DNS server "${given}" is not an IP address; give the address of the DC or DNS server (e.g. 198.18.0.10).`, { field: 'directory.target.dnsServer' });
  const dcAddress = req.directory ? (given || (await locateDcs(req.directory.target).catch(() => []))[0]?.address) : undefined;
  o.onProgress?.('Reading the directory');
  const directoryP = gatherDirectory(req, all, dcAddress ?? '', o.signal);
  const controllerClock = Date.now() / 1000;
  const toSource: Peer[] = [{ name: req.source.name, address: req.source.address }];
  // The source and each target talk to the witness's agent (heartbeats, the lease): that path is probed too.
  const toWitness: Peer[] = req.witness ? [{ name: req.witness.name, address: req.witness.address }] : [];
  const choicesP = req.choices ? gatherDnsChoices(req) : Promise.resolve(null);
  const [source, targets, witness, directory, dns] = await Promise.all([
    counted(gatherHost(req.source, 'source', toWitness, req, undefined, o)),
    Promise.all(req.targets.map((t) => counted(gatherHost(t, 'target', [...toSource, ...toWitness], req, dcAddress, o)))),
    req.witness ? counted(gatherHost(req.witness, 'witness', [...toSource, ...req.targets.map((t) => ({ name: t.name, address: t.address }))], req, undefined, o)) : Promise.resolve(null),
    directoryP,
    choicesP,
  ]);
  const choices = req.choices && dns ? { services: req.choices.services, alerts: req.choices.alerts, dns } : null;
  return { controllerClock, replicationPort: req.replicationPort ?? REPLICATION_PORT, source, targets, witness, directory, choices };
}

