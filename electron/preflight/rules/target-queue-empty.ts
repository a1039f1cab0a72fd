import { hostRule, miss, need, ok, plan } from '../rule.ts';

export default hostRule({
  id: 'target-queue-empty', title: 'The standby\'s mail queue is empty', category: 'application', platform: 'linux', severity: 'warning',
  rationale: 'Old messages on the standby would be delivered after failover as if new.',
  resolution: 'Look at them (postqueue -p), then remove them (postsuper -d ALL).',
}, ['target'], (h) => {
  const q = need(h.linux?.postfixQueue, 'the Postfix queue');
  const n = Object.values(q).reduce((a, b) => a + b, 0);
  const evidence = Object.entries(q).map(([k, v]) => ({ label: k, value: String(v), source: 'find <queue>/<dir> -type f' }));
  return n === 0 ? ok('The queue is empty.', evidence) : miss(`${n} messages wait in ${h.name}'s queue.`, evidence);
}, {
  kind: 'confirm',
  plan: (_f, x) => plan('target-queue-empty', 'confirm', `Delete the queued messages on ${x.host}`, [{ kind: 'command', host: x.host!, description: 'delete every queued message (they cannot be restored)', command: 'postsuper -d ALL' }], x.host),
});
