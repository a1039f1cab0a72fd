/**
 * The lab network: one bridge in the root namespace, one network namespace per host,
 * joined by veth pairs. Nothing here touches any interface, route or rule outside
 * the lab's own bridge, veths and namespaces.
 */
import { BRIDGE, BRIDGE_ADDRESS, HOSTS, PREFIX, hostByName, netnsOf, vethOf, type HostSpec } from './config.ts';
import { run } from './sh.ts';

const ip = (...args: string[]) => run('ip', args);
const ipOk = (...args: string[]) => run('ip', args, { allowFail: true }).code === 0;

export function linkExists(name: string): boolean {
  return ipOk('link', 'show', 'dev', name);
}

export function netnsExists(ns: string): boolean {
  return run('ip', ['netns', 'list'], { allowFail: true }).stdout.split('\n').some((l) => l.split(' ')[0] === ns);
}

export function ensureBridge(): void {
  if (!linkExists(BRIDGE)) {
    ip('link', 'add', BRIDGE, 'type', 'bridge');
    ip('addr', 'add', `${BRIDGE_ADDRESS}/${PREFIX}`, 'dev', BRIDGE);
  }
  ip('link', 'set', BRIDGE, 'up');
}

/** Creates the host's namespace and veth pair; idempotent. */
export function ensureHostNetwork(h: HostSpec): void {
  const ns = netnsOf(h.name);
  if (!netnsExists(ns)) ip('netns', 'add', ns);
  const veth = vethOf(h.name);
  if (!linkExists(veth)) {
    ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('link', 'set', veth, 'master', BRIDGE);
  }
  ip('link', 'set', veth, 'up');
  const inNs = (...a: string[]) => run('ip', ['-n', ns, ...a]);
  inNs('link', 'set', 'lo', 'up');
  const addrs = run('ip', ['-n', ns, '-4', 'addr', 'show', 'dev', 'eth0']).stdout;
  if (!addrs.includes(`${h.address}/`)) inNs('addr', 'add', `${h.address}/${PREFIX}`, 'dev', 'eth0');
  inNs('link', 'set', 'eth0', 'up');
}

export function removeNetwork(): string[] {
  const removed: string[] = [];
  for (const h of HOSTS) {
    const veth = vethOf(h.name);
    if (linkExists(veth)) {
      ip('link', 'del', veth);
      removed.push(`veth ${veth}`);
    }
    const ns = netnsOf(h.name);
    if (netnsExists(ns)) {
      ip('netns', 'del', ns);
      removed.push(`namespace ${ns}`);
    }
  }
  if (linkExists(BRIDGE)) {
    ip('link', 'del', BRIDGE);
    removed.push(`bridge ${BRIDGE}`);
  }
  return removed;
}

/** Partitions a host from everyone (its bridge port goes down), or only from one peer. */
export function cut(a: HostSpec, b?: HostSpec): string {
  if (!b) {
    ip('link', 'set', vethOf(a.name), 'down');
    return `${a.name} is cut off from every other host`;
  }
  for (const [x, y] of [[a, b], [b, a]] as const) {
    run('ip', ['-n', netnsOf(x.name), 'route', 'replace', 'blackhole', `${y.address}/32`]);
  }
  return `the link between ${a.name} and ${b.name} is cut`;
}

export function heal(a: HostSpec, b?: HostSpec): string {
  if (!b) {
    ip('link', 'set', vethOf(a.name), 'up');
    for (const other of HOSTS) {
      run('ip', ['-n', netnsOf(a.name), 'route', 'del', 'blackhole', `${other.address}/32`], { allowFail: true });
      run('ip', ['-n', netnsOf(other.name), 'route', 'del', 'blackhole', `${a.address}/32`], { allowFail: true });
    }
    return `${a.name} is connected again`;
  }
  for (const [x, y] of [[a, b], [b, a]] as const) {
    run('ip', ['-n', netnsOf(x.name), 'route', 'del', 'blackhole', `${y.address}/32`], { allowFail: true });
  }
  return `the link between ${a.name} and ${b.name} is restored`;
}

/** Rate-limits a host's link in both directions with a token bucket; delay needs netem. */
export function shape(h: HostSpec, rate: string | undefined, delay: string | undefined): string {
  if (!rate && !delay) throw new Error('shape needs --rate, --delay or --clear.');
  if (rate && !/^\d+(\.\d+)?(bit|kbit|mbit|gbit)$/.test(rate)) throw new Error(`"${rate}" is not a rate; write it like 100mbit or 512kbit.`);
  if (delay && !/^\d+(\.\d+)?(ms|us|s)$/.test(delay)) throw new Error(`"${delay}" is not a delay; write it like 20ms.`);
  const sides: Array<[string[], string]> = [
    [[], vethOf(h.name)],
    [['-n', netnsOf(h.name)], 'eth0'],
  ];
  if (delay && !netemAvailable()) {
    throw new Error('This kernel has no netem queueing discipline (sch_netem), so --delay cannot be applied; use --rate alone.');
  }
  for (const [nsArgs, dev] of sides) {
    run('tc', [...nsArgs, 'qdisc', 'del', 'dev', dev, 'root'], { allowFail: true });
    const args = [...nsArgs, 'qdisc', 'add', 'dev', dev, 'root'];
    if (delay) run('tc', [...args, 'netem', 'delay', delay, ...(rate ? ['rate', rate] : [])]);
    else if (rate) run('tc', [...args, 'tbf', 'rate', rate, 'burst', burstFor(rate), 'latency', '200ms']);
  }
  return `${h.name}'s link is shaped${rate ? ` to ${rate}` : ''}${delay ? ` with ${delay} delay` : ''}`;
}

export function clearShape(h: HostSpec): string {
  run('tc', ['qdisc', 'del', 'dev', vethOf(h.name), 'root'], { allowFail: true });
  run('tc', ['-n', netnsOf(h.name), 'qdisc', 'del', 'dev', 'eth0', 'root'], { allowFail: true });
  return `${h.name}'s link is no longer shaped`;
}

/** A burst of at least one jiffy's worth of bytes at the given rate (tbf refuses smaller). */
function burstFor(rate: string): string {
  const m = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)$/.exec(rate)!;
  const bits = Number(m[1]) * { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 }[m[2] as 'bit'];
  return `${Math.max(16_000, Math.ceil(bits / 8 / 100))}`;
}

let netemChecked: boolean | undefined;
function netemAvailable(): boolean {
  if (netemChecked !== undefined) return netemChecked;
  const ns = 'fg-netem-probe';
  run('ip', ['netns', 'add', ns], { allowFail: true });
  run('ip', ['-n', ns, 'link', 'add', 'a', 'type', 'veth', 'peer', 'name', 'b'], { allowFail: true });
  netemChecked = run('tc', ['-n', ns, 'qdisc', 'add', 'dev', 'a', 'root', 'netem', 'delay', '1ms'], { allowFail: true }).code === 0;
  run('ip', ['netns', 'del', ns], { allowFail: true });
  return netemChecked;
}

export function requireHost(name: string): HostSpec {
  const h = hostByName(name);
  if (!h) throw new Error(`There is no lab host called "${name}"; the hosts are ${HOSTS.map((x) => x.name).join(', ')}.`);
  return h;
}
