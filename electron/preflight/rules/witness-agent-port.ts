import { globalRule, miss, need, ok, na, plan } from '../rule.ts';
import { iptablesCommand } from '../iptables-rule.ts';
import { blockingRules } from './firewall-allows-replication.ts';

export default globalRule({
  id: 'witness-agent-port', title: 'The source and every target reach the witness\'s agent port', category: 'witness', platform: 'network', severity: 'error',
  rationale: 'The source heartbeats to the witness and each target asks it for the lease on the replication port; if that is dropped, the source fences itself and no target may ever take over.',
  resolution: 'Allow TCP to the replication port of the witness from the source and from each target, in every firewall on the path.',
}, (f) => {
  const w = f.witness;
  if (!w) return na('No witness was given.');
  return [f.source, ...f.targets].map((h) => {
    const p = h.paths.find((x) => x.peer === w.name);
    // A probe that failed is an error, never "not applicable": the path was not checked.
    if (!p && h.probeError) return { error: `The probe of ${h.name} did not finish, so its path to the witness was not checked.`, host: h.name };
    if (!p) return { ...na(`${h.name} was not probed towards the witness.`), host: h.name };
    const state = need(p.replicationPort, 'the path to the witness');
    const evidence = [{ label: `${h.name} → ${w.name}:${f.replicationPort}`, value: state, source: p.replicationPort.command }];
    // Refused is good news before provisioning: the packet got there and nothing listens yet.
    return { ...(state !== 'filtered' ? ok(`The path is open (${state}).`, evidence) : miss(`Packets from ${h.name} to the witness's port ${f.replicationPort} are dropped.`, evidence)), host: h.name };
  });
}, {
  kind: 'confirm',
  // When the witness's own firewall is what drops it, its blocking rules can go; a firewall on the path is for a person.
  plan: (f) => {
    const w = f.witness;
    const rules = w?.linux?.firewall.ok ? blockingRules(w.linux.firewall.value.iptables, f.replicationPort) : [];
    if (!w || !rules.length) return null;
    return plan('witness-agent-port', 'confirm', `Remove ${rules.length} blocking firewall rule(s) on the witness ${w.name}`,
      rules.map((r) => ({ kind: 'command' as const, host: w.name, description: `delete: ${r}`, command: iptablesCommand(r, '-D'), undo: iptablesCommand(r, '-A') })), w.name);
  },
});
