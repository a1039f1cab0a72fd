import { globalRule, miss, need, ok, na, plan, shq, perTarget } from '../rule.ts';

export default globalRule({
  id: 'postfix-transport-match', title: 'Source and target deliver mail the same way', category: 'application', platform: 'linux', severity: 'error',
  rationale: 'After failover the target serves the source\'s replicated data with its own configuration: both must agree on the delivery transport.',
  resolution: 'Set the delivery transport on the target to the source\'s value.',
}, (f) => perTarget(f, (t) => {
  if (!f.source.linux || !t.linux) return { ...na('Not a Linux pair.'), host: t.name };
  const a = need(f.source.linux.postfix, 'the delivery transport on the source')['virtual_transport'] ?? '(unset)';
  const b = need(t.linux.postfix, 'the delivery transport on the target')['virtual_transport'] ?? '(unset)';
  const evidence = [{ label: `${f.source.name}`, value: a, source: 'virtual_transport' }, { label: `${t.name}`, value: b, source: 'virtual_transport' }];
  return { ...(a === b ? ok('the delivery transport is the same.', evidence) : miss(`the delivery transport differs: ${a} on ${f.source.name}, ${b} on ${t.name}.`, evidence)), host: t.name };
}), {
  kind: 'safe',
  plan: (f, x) => {
    const src = f.source.linux?.postfix;
    const t = f.targets.find((h) => h.name === x.host);
    const old = t?.linux?.postfix.ok ? t.linux.postfix.value['virtual_transport'] : undefined;
    if (!src?.ok || !t || src.value['virtual_transport'] === undefined) return null;
    const v = src.value['virtual_transport'];
    return plan('postfix-transport-match', 'safe', `Set the delivery transport on ${t.name} to ${v}`, [{ host: t.name, description: `set virtual_transport = ${v}`, command: `postconf -e ${shq(`virtual_transport=${v}`)}`, undo: old === undefined ? undefined : `postconf -e ${shq(`virtual_transport=${v}`)}` }], t.name);
  },
});
