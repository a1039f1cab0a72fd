import { globalRule, miss, need, ok, na, plan, shq, perTarget } from '../rule.ts';

const PATHS = ['/srv/mail/vmail', '/srv/mail/queue'];

export default globalRule({
  id: 'data-owner-match', title: 'Mail folders have the same owner and mode on source and target', category: 'permissions', platform: 'linux', severity: 'error',
  rationale: 'After failover the target\'s services must read and write the replicated folders exactly as the source\'s did.',
  resolution: 'Give the target\'s folders the source\'s owner, group and mode (chown, chmod).',
}, (f) => perTarget(f, (t) => {
  if (!f.source.linux || !t.linux) return { ...na('Not a Linux pair.'), host: t.name };
  const src = need(f.source.linux.dataPaths, 'mail folders on the source');
  const dst = need(t.linux.dataPaths, 'mail folders on the target');
  const diffs = PATHS.map((p) => [p, src.find((x) => x.path === p), dst.find((x) => x.path === p)] as const)
    .filter(([, a, b]) => a && a.owner !== 'missing' && (!b || b.owner !== a.owner || b.group !== a.group || b.mode !== a.mode));
  const evidence = PATHS.map((p) => ({ label: p, value: `${f.source.name}: ${fmt(src.find((x) => x.path === p))}; ${t.name}: ${fmt(dst.find((x) => x.path === p))}`, source: 'stat -c "%U %G %a"' }));
  return { ...(diffs.length === 0 ? ok('Owners and modes match.', evidence) : miss(`${diffs.map(([p]) => p).join(', ')} on ${t.name} differ from ${f.source.name}.`, evidence)), host: t.name };
}), {
  kind: 'safe',
  plan: (f, x) => {
    const t = f.targets.find((h) => h.name === x.host);
    const src = f.source.linux?.dataPaths;
    const dst = t?.linux?.dataPaths;
    if (!t || !src?.ok || !dst?.ok) return null;
    const steps = PATHS.flatMap((p) => {
      const a = src.value.find((v) => v.path === p);
      const b = dst.value.find((v) => v.path === p);
      if (!a || a.owner === 'missing') return [];
      return [{ kind: 'command' as const, host: t.name, description: `give ${p} owner ${a.owner}:${a.group} and mode ${a.mode}`,
        command: `${!b || b.owner === 'missing' ? `mkdir -p ${shq(p)} && ` : ''}chown -- ${shq(`${a.owner}:${a.group}`)} ${shq(p)} && chmod -- ${shq(a.mode)} ${shq(p)}`,
        undo: b && b.owner !== 'missing' ? `chown -- ${shq(`${b.owner}:${b.group}`)} ${shq(p)} && chmod -- ${shq(b.mode)} ${shq(p)}` : undefined }];
    });
    return plan('data-owner-match', 'safe', `Match ${t.name}'s mail folders to ${f.source.name}'s`, steps, t.name);
  },
});

function fmt(p: { owner: string; group: string; mode: string } | undefined): string {
  return !p || p.owner === 'missing' ? 'missing' : `${p.owner}:${p.group} ${p.mode}`;
}
