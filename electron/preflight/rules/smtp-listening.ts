import { hostRule, miss, need, ok, plan } from '../rule.ts';

export default hostRule({
  id: 'smtp-listening', title: 'The source accepts mail on port 25', category: 'application', platform: 'linux', severity: 'error',
  rationale: 'The failover monitor judges the source by its SMTP answer; it must answer now.',
  resolution: 'Start Postfix and check inet_interfaces (postconf inet_interfaces).',
}, ['source'], (h) => {
  const l = need(h.linux?.listening, 'listening ports').filter((x) => x.port === 25);
  const evidence = [{ label: 'port 25', value: l.map((x) => x.address).join(', ') || 'nothing listens', source: 'ss -ltn' }];
  return l.some((x) => x.address !== '127.0.0.1') ? ok('SMTP is open on the network.', evidence) : miss(`${h.name} does not accept SMTP from the network.`, evidence);
}, {
  kind: 'confirm',
  plan: (_f, x) => plan('smtp-listening', 'confirm', `Start Postfix on ${x.host}`, [{ host: x.host!, description: 'start Postfix', command: 'postfix status >/dev/null 2>&1 || postfix start', undo: 'postfix stop' }], x.host),
});
