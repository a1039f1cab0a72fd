import { hostRule, miss, need, ok, plan } from '../rule.ts';
import { iptablesCommand } from '../iptables-rule.ts';

/** iptables rules that drop or reject the replication port. */
export function blockingRules(iptables: readonly string[], port: number): string[] {
  return iptables.filter((r) => /^-A /.test(r) && /-j (DROP|REJECT)/.test(r) && new RegExp(`--dports? (\\S*,)?${port}(\\b|,|:)`).test(r));
}

export default hostRule({
  id: 'firewall-allows-replication', title: 'The host firewall does not block the replication port', category: 'network', platform: 'linux', severity: 'error',
  rationale: 'A local DROP or REJECT rule for the replication port stops replication whatever the network allows.',
  resolution: 'Remove the rule, or add an ACCEPT for the peer hosts before it.',
}, ['source', 'target'], (h, f) => {
  const fw = need(h.linux?.firewall, 'firewall rules');
  const bad = blockingRules(fw.iptables, f.replicationPort);
  const evidence = [{ label: 'blocking rules', value: bad.join(' | ') || 'none', source: 'iptables -S' }];
  return bad.length === 0 ? ok('No rule blocks the replication port.', evidence) : miss(`${h.name}'s firewall blocks port ${f.replicationPort}: ${bad[0]}.`, evidence);
}, {
  kind: 'confirm',
  plan: (f, x) => {
    const h = [f.source, ...f.targets].find((y) => y.name === x.host);
    const rules = h?.linux?.firewall.ok ? blockingRules(h.linux.firewall.value.iptables, f.replicationPort) : [];
    if (!rules.length) return null;
    return plan('firewall-allows-replication', 'confirm', `Remove ${rules.length} blocking firewall rule(s) on ${x.host}`,
      rules.map((r) => ({ kind: 'command', host: x.host!, description: `delete: ${r}`, command: iptablesCommand(r, '-D'), undo: iptablesCommand(r, '-A') })), x.host);
  },
});
