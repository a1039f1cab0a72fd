import { hostRule, miss, need, ok, plan } from '../rule.ts';

export default hostRule({
  id: 'source-deferred-queue', title: 'The source is not holding back a pile of mail', category: 'application', platform: 'linux', severity: 'warning',
  rationale: 'A long deferred queue means delivery trouble that failover will carry along.',
  resolution: 'See why mail is deferred (postqueue -p, the Postfix log) and fix that first.',
}, ['source'], (h) => {
  const q = need(h.linux?.postfixQueue, 'the Postfix queue');
  const d = q.deferred ?? 0;
  const evidence = [{ label: 'deferred', value: String(d), source: 'find <queue>/deferred -type f' }];
  return d < 100 ? ok(`${d} deferred messages.`, evidence) : miss(`${d} messages are deferred on ${h.name}.`, evidence);
}, {
  kind: 'confirm',
  plan: (_f, x) => plan('source-deferred-queue', 'confirm', `Retry the deferred mail on ${x.host} now`, [{ kind: 'command', host: x.host!, description: 'ask Postfix to retry every deferred message at once', command: 'postqueue -f' }], x.host),
});
