import { globalRule, miss, need, ok, na, plan, shq, perTarget } from '../rule.ts';

export default globalRule({
  id: 'postfix-domains-match', title: 'Source and target accept mail for the same domains', category: 'application', platform: 'linux', severity: 'error',
  rationale: 'After failover the target serves the source\'s replicated data with its own configuration: both must agree on the mail domains.',
  resolution: 'Set the mail domains on the target to the source\'s value.',
}, (f) => perTarget(f, (t) => {
  if (!f.source.linux || !t.linux) return { ...na('Not a Linux pair.'), host: t.name };
  const a = need(f.source.linux.postfix, 'the mail domains on the source')['virtual_mailbox_domains'] ?? '(unset)';
  const b = need(t.linux.postfix, 'the mail domains on the target')['virtual_mailbox_domains'] ?? '(unset)';
  const evidence = [{ label: `${f.source.name}`, value: a, source: 'virtual_mailbox_domains' }, { label: `${t.name}`, value: b, source: 'virtual_mailbox_domains' }];
  return { ...(a === b ? ok('the mail domains is the same.', evidence) : miss(`the mail domains differs: ${a} on ${f.source.name}, ${b} on ${t.name}.`, evidence)), host: t.name };
}), {
  kind: 'safe',
  plan: (f, x) => {
    const src = f.source.linux?.postfix;
    const t = f.targets.find((h) => h.name === x.host);
    const old = t?.linux?.postfix.ok ? t.linux.postfix.value['virtual_mailbox_domains'] : undefined;
    if (!src?.ok || !t || src.value['virtual_mailbox_domains'] === undefined) return null;
    const v = src.value['virtual_mailbox_domains'];
    return plan('postfix-domains-match', 'safe', `Set the mail domains on ${t.name} to ${v}`, [{ host: t.name, description: `set virtual_mailbox_domains = ${v}`, command: `postconf -e ${shq(`virtual_mailbox_domains=${v}`)}`, undo: old === undefined ? undefined : `postconf -e ${shq(`virtual_mailbox_domains=${v}`)}` }], t.name);
  },
});
