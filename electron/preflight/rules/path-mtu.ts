import { globalRule, miss, need, ok, na, plan, perTarget } from '../rule.ts';
import { shellCommand } from '../../../shared/quote.ts';

export default globalRule({
  id: 'path-mtu', title: 'Full-size packets pass between target and source', category: 'network', platform: 'network', severity: 'warning',
  rationale: 'A path that drops full-size packets (a VPN or a tunnel) makes bulk transfers hang.',
  resolution: 'Lower the MTU on both hosts to what the path carries, or fix the device that drops them.',
}, (f) => perTarget(f, (t) => {
  const p = t.paths.find((x) => x.peer === f.source.name);
  if (!p) return { ...na(`${t.name} was not probed.`), host: t.name };
  const m = need(p.pathMtu, 'the path MTU');
  const own = t.linux?.links.ok ? (t.linux.links.value.find((l) => l.up && l.name !== 'lo')?.mtu ?? 1500) : 1500;
  const evidence = [{ label: 'largest packet through', value: m.mtu === null ? 'no ping answer' : `${m.mtu} bytes`, source: p.pathMtu.command }];
  if (m.mtu === null) return { ...miss(`${f.source.name} does not answer ping from ${t.name}; the path could not be measured.`, evidence), host: t.name };
  return { ...(m.mtu >= own ? ok(`Packets of ${m.mtu} bytes pass.`, evidence) : miss(`Only ${m.mtu}-byte packets pass from ${t.name} to ${f.source.name} (interface MTU ${own}).`, evidence)), host: t.name };
}), {
  kind: 'safe',
  plan: (f, x) => {
    const t = f.targets.find((h) => h.name === x.host);
    const p = t?.paths.find((y) => y.peer === f.source.name);
    const link = t?.linux?.links.ok ? t.linux.links.value.find((l) => l.up && l.name !== 'lo') : undefined;
    if (!t || !p?.pathMtu.ok || !p.pathMtu.value.mtu || !link) return null;
    return plan('path-mtu', 'safe', `Lower ${t.name}'s MTU to what the path carries (${p.pathMtu.value.mtu})`, [{ kind: 'command', host: t.name, description: `set the MTU of ${link.name} to ${p.pathMtu.value.mtu}`, command: shellCommand(['ip', 'link', 'set', 'dev', link.name, 'mtu', String(p.pathMtu.value.mtu)]), undo: shellCommand(['ip', 'link', 'set', 'dev', link.name, 'mtu', String(link.mtu)]) }], t.name);
  },
});
