import { globalRule, miss, need, ok, na, plan, perTarget } from '../rule.ts';
import { shellCommand } from '../../../shared/quote.ts';

/** The MTU of the interface that carries the host's address (the first that is up and not loopback). */
export function mainMtu(links: ReadonlyArray<{ name: string; mtu: number; up: boolean }>): { name: string; mtu: number } | null {
  return links.find((l) => l.up && l.name !== 'lo') ?? null;
}

export default globalRule({
  id: 'mtu-match', title: 'Source and target use the same MTU', category: 'network', platform: 'linux', severity: 'error',
  rationale: 'Different MTUs on one path drop large packets when path MTU discovery is blocked: small checks pass, replication stalls.',
  resolution: 'Set the target\'s interface MTU to the source\'s (ip link set dev <if> mtu <n>, and in the network configuration).',
}, (f) => perTarget(f, (t) => {
  if (!f.source.linux || !t.linux) return { ...na('Not a Linux pair.'), host: t.name };
  const a = mainMtu(need(f.source.linux.links, 'network interfaces on the source'));
  const b = mainMtu(need(t.linux.links, 'network interfaces on the target'));
  const evidence = [{ label: f.source.name, value: a ? `${a.name} ${a.mtu}` : 'none', source: 'ip -o link' }, { label: t.name, value: b ? `${b.name} ${b.mtu}` : 'none', source: 'ip -o link' }];
  return { ...(a && b && a.mtu === b.mtu ? ok(`Both use MTU ${a.mtu}.`, evidence) : miss(`MTU ${a?.mtu ?? '?'} on ${f.source.name} but ${b?.mtu ?? '?'} on ${t.name}.`, evidence)), host: t.name };
}), {
  kind: 'safe',
  plan: (f, x) => {
    const t = f.targets.find((h) => h.name === x.host);
    const a = f.source.linux?.links.ok ? mainMtu(f.source.linux.links.value) : null;
    const b = t?.linux?.links.ok ? mainMtu(t.linux.links.value) : null;
    if (!t || !a || !b) return null;
    return plan('mtu-match', 'safe', `Set ${t.name}'s ${b.name} MTU to ${a.mtu}`, [{ kind: 'command', host: t.name, description: `set the MTU of ${b.name} to ${a.mtu}`, command: shellCommand(['ip', 'link', 'set', 'dev', b.name, 'mtu', String(a.mtu)]), undo: shellCommand(['ip', 'link', 'set', 'dev', b.name, 'mtu', String(b.mtu)]) }], t.name);
  },
});
