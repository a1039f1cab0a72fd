/**
 * Parameterised checks (kubeadm style): one kind, instantiated per package, service or
 * host role in its own rule file. The id names the parameter and never changes.
 */
import type { Category, HostRole, Severity } from '../../shared/preflight.ts';
import { hostRule, miss, need, ok, plan, type Rule } from './rule.ts';

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
    plan: (_f, finding) => plan(id, 'confirm', `Install ${pkg} on ${finding.host}`, [{ host: finding.host!, description: `install ${pkg} from the configured package sources`, command: `DEBIAN_FRONTEND=noninteractive apt-get install -y ${pkg}`, undo: `apt-get remove -y ${pkg}` }], finding.host),
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
      [{ host: finding.host!, description: `${o.running ? 'start' : 'stop'} ${o.label}`, command: o.running ? o.start : o.stop, undo: o.running ? o.stop : o.start }], finding.host),
  });
}
