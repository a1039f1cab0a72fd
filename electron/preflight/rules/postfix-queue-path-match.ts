import { globalRule, miss, need, ok, na, plan, shq, perTarget } from '../rule.ts';

export default globalRule({
  id: 'postfix-queue-path-match', title: 'The Postfix queue path is the same on source and target', category: 'replication', platform: 'linux', severity: 'error',
  rationale: 'After failover the target serves the source\'s replicated data with its own configuration: both must agree on the Postfix queue path.',
  resolution: 'Set the Postfix queue path on the target to the source\'s value.',
}, (f) => perTarget(f, (t) => {
  if (!f.source.linux || !t.linux) return { ...na('Not a Linux pair.'), host: t.name };
  const a = need(f.source.linux.postfix, 'the Postfix queue path on the source')['queue_directory'] ?? '(unset)';
  const b = need(t.linux.postfix, 'the Postfix queue path on the target')['queue_directory'] ?? '(unset)';
  const evidence = [{ label: `${f.source.name}`, value: a, source: 'queue_directory' }, { label: `${t.name}`, value: b, source: 'queue_directory' }];
  return { ...(a === b ? ok('the Postfix queue path is the same.', evidence) : miss(`the Postfix queue path differs: ${a} on ${f.source.name}, ${b} on ${t.name}.`, evidence)), host: t.name };
}), {
  kind: 'safe',
  plan: (f, x) => {
    const src = f.source.linux?.postfix;
    const t = f.targets.find((h) => h.name === x.host);
    const old = t?.linux?.postfix.ok ? t.linux.postfix.value['queue_directory'] : undefined;
    if (!src?.ok || !t || src.value['queue_directory'] === undefined) return null;
    const v = src.value['queue_directory'];
    return plan('postfix-queue-path-match', 'safe', `Set the Postfix queue path on ${t.name} to ${v}`, [{ host: t.name, description: `set queue_directory = ${v}`, command: `postconf -e ${shq(`queue_directory=${v}`)}`, undo: old === undefined ? undefined : `postconf -e ${shq(`queue_directory=${v}`)}` }], t.name);
  },
});
