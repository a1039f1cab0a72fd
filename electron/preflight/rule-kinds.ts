/**
 * Parameterised checks (kubeadm style): one kind, instantiated per package, service or
 * host role in its own rule file. The id names the parameter and never changes.
 */
import type { Category, HostRole, Severity } from '../../shared/preflight.ts';
import { dnsFix } from './dns-fix.ts';
import { globalRule, hostRule, miss, na, need, ok, perTarget, plan, type Rule } from './rule.ts';
import { shellCommand } from '../../shared/quote.ts';

export function packageInstalled(id: string, pkg: string, roles: HostRole[], severity: Severity = 'error'): Rule {
  return hostRule({
    id, title: `${pkg} is installed`, category: 'packages', platform: 'linux', severity,
    rationale: `Failover needs ${pkg} on every mail host, ready to run the moment the source is lost.`,
    resolution: `Install it: apt-get install ${pkg}.`,
  }, roles, (h) => {
    const p = need(h.linux?.packages, 'installed packages')[pkg];
    return p?.installed ? ok(`${pkg} ${p.version} is installed.`, [{ label: pkg, value: p.version, source: 'dpkg-query -W' }])
      : miss(`${pkg} is not installed on ${h.name}.`, [{ label: pkg, value: 'not installed', source: 'dpkg-query -W' }]);
  }, {
    kind: 'confirm',
    plan: (_f, finding) => plan(id, 'confirm', `Install ${pkg} on ${finding.host}`, [{ kind: 'command', host: finding.host!, description: `install ${pkg} from the configured package sources`, command: `DEBIAN_FRONTEND=noninteractive ${shellCommand(['apt-get', 'install', '-y', '--', pkg])}`, undo: shellCommand(['apt-get', 'remove', '-y', '--', pkg]) }], finding.host),
  });
}

/** A daemon that must run (source) or must not (standby target: two live copies would split the mail). */
export function processState(id: string, o: { proc: string; label: string; role: HostRole; running: boolean; category: Category; start: string; stop: string }): Rule {
  const want = o.running ? 'running' : 'stopped';
  return hostRule({
    id, title: `${o.label} is ${want} on the ${o.role}`, category: o.category, platform: 'linux', severity: 'error',
    rationale: o.running ? `The ${o.role} serves mail now; without ${o.label} users get none.` : `A standby that runs ${o.label} accepts mail the source never sees, and failover would lose or duplicate it.`,
    resolution: o.running ? `Start ${o.label} on the ${o.role}: ${o.start}.` : `Stop ${o.label} on the ${o.role}: ${o.stop}; Failguard starts it at failover.`,
  }, [o.role], (h) => {
    const pid = need(h.linux?.processes, 'running processes')[o.proc] ?? null;
    const evidence = [{ label: `${o.proc} process`, value: pid ? `running (pid ${pid})` : 'not running', source: `pgrep -x ${o.proc}` }];
    return (pid !== null) === o.running ? ok(`${o.label} is ${want} on ${h.name}.`, evidence) : miss(`${o.label} is ${o.running ? 'not running' : 'running'} on ${h.name}.`, evidence);
  }, {
    kind: o.role === 'target' ? 'safe' : 'confirm',
    plan: (_f, finding) => plan(id, o.role === 'target' ? 'safe' : 'confirm', `${o.running ? 'Start' : 'Stop'} ${o.label} on ${finding.host}`,
      [{ kind: 'command', host: finding.host!, description: `${o.running ? 'start' : 'stop'} ${o.label}`, command: o.running ? o.start : o.stop, undo: o.running ? o.stop : o.start }], finding.host),
  });
}

/** A setting that must be the same on source and target (the target serves the source's data with its own configuration). */
export function settingMatches(id: string, o: { title: string; label: string; key: string; facts: 'postfix' | 'dovecot'; category: Category; set: (value: string) => string }): Rule {
  return globalRule({
    id, title: o.title, category: o.category, platform: 'linux', severity: 'error',
    rationale: `After failover the target serves the data of the source with its own configuration: both must agree on ${o.label}.`,
    resolution: `Set ${o.label} on the target to the value of the source.`,
  }, (f) => perTarget(f, (t) => {
    if (!f.source.linux || !t.linux) return na('Not a Linux pair.');
    const a = need(f.source.linux[o.facts], `${o.label} on the source`)[o.key] ?? '(unset)';
    const b = need(t.linux[o.facts], `${o.label} on the target`)[o.key] ?? '(unset)';
    const evidence = [{ label: f.source.name, value: a, source: o.key }, { label: t.name, value: b, source: o.key }];
    return a === b ? ok(`${o.label} is the same.`, evidence) : miss(`${o.label} differs: ${a} on ${f.source.name}, ${b} on ${t.name}.`, evidence);
  }), {
    kind: 'safe',
    plan: (f, x) => {
      const src = f.source.linux?.[o.facts];
      const t = f.targets.find((h) => h.name === x.host);
      const dst = t?.linux?.[o.facts];
      const v = src?.ok ? src.value[o.key] : undefined;
      // A value with a line break is not one setting: no fix is offered for it (nor for undoing to one).
      if (!t || v === undefined || /[\r\n\0]/.test(v)) return null;
      const prev = dst?.ok ? dst.value[o.key] : undefined;
      const old = prev !== undefined && !/[\r\n\0]/.test(prev) ? prev : undefined;
      return plan(id, 'safe', `Set ${o.label} on ${t.name} to ${v}`, [{ kind: 'command', host: t.name, description: `set ${o.key} = ${v}`, command: o.set(v), undo: old === undefined ? undefined : o.set(old) }], t.name);
    },
  });
}

/** The source's or each target's name resolves to its address in the directory's DNS. */
export function dnsForward(id: string, role: 'source' | 'target'): Rule {
  return globalRule({
    id, title: `The ${role} name resolves to its address in the directory DNS`, category: 'dns', platform: 'directory', severity: 'error',
    rationale: `Clients, the agent and failover itself find the ${role} by name.`,
    resolution: `Correct the A record of the ${role} in the DNS zone of the directory.`,
  }, (f) => {
    const d = f.directory;
    if (!d) return na('No directory was given.');
    return (role === 'source' ? [f.source] : f.targets).map((h) => {
      const got = need(d.dns.forward[h.name], `the A record of ${h.name}`);
      const evidence = [{ label: `${h.name.toLowerCase()}.${d.dnsDomain}`, value: got.join(', ') || 'no record', source: `DNS A query to ${d.dcAddress}` }];
      return { ...(got.length === 1 && got[0] === h.address ? ok(`${h.name} is ${h.address}.`, evidence) : miss(`DNS says ${h.name} is ${got.join(', ') || 'nowhere'}; it is ${h.address}.`, evidence)), host: h.name };
    });
  }, dnsFix(id, 'A'));
}

/** The source's or each target's address resolves back to its name (PTR). */
export function dnsReverse(id: string, role: 'source' | 'target'): Rule {
  return globalRule({
    id, title: `The ${role} address resolves back to its name`, category: 'dns', platform: 'directory', severity: 'warning',
    rationale: 'Receiving mail servers check that an address resolves back to its name; a missing PTR sends mail to spam.',
    resolution: `Add a PTR record for the ${role} address in the reverse zone.`,
  }, (f) => {
    const d = f.directory;
    if (!d) return na('No directory was given.');
    return (role === 'source' ? [f.source] : f.targets).map((h) => {
      const want = `${h.name.toLowerCase()}.${d.dnsDomain}`;
      const got = need(d.dns.reverse[h.name], `the PTR record of ${h.address}`);
      const evidence = [{ label: h.address, value: got ?? 'no record', source: `DNS PTR query to ${d.dcAddress}` }];
      return { ...(got?.toLowerCase() === want ? ok(`${h.address} is ${want}.`, evidence) : miss(`${h.address} resolves back to ${got ?? 'nothing'}, not ${want}.`, evidence)), host: h.name };
    });
  }, dnsFix(id, 'PTR'));
}

/** A mail service the source must offer to the network, and the command that starts it. */
export function sourceListens(id: string, o: { port: number; protocol: string; service: string; severity: Severity; rationale: string; resolution: string; start: string; stop: string }): Rule {
  return hostRule({
    id, title: `The source ${o.protocol === 'SMTP' ? 'accepts mail' : `serves ${o.protocol}`} on port ${o.port}`, category: 'application', platform: 'linux', severity: o.severity,
    rationale: o.rationale, resolution: o.resolution,
  }, ['source'], (h) => {
    const l = need(h.linux?.listening, 'listening ports').filter((x) => x.port === o.port);
    const evidence = [{ label: `port ${o.port}`, value: l.map((x) => x.address).join(', ') || 'nothing listens', source: 'ss -ltn' }];
    return l.some((x) => x.address !== '127.0.0.1') ? ok(`${o.protocol} is open on the network.`, evidence) : miss(`${h.name} does not offer ${o.protocol} to the network.`, evidence);
  }, {
    kind: 'confirm',
    plan: (_f, x) => plan(id, 'confirm', `Start ${o.service} on ${x.host}`, [{ kind: 'command', host: x.host!, description: `start ${o.service}`, command: o.start, undo: o.stop }], x.host),
  });
}
