import { hostRule, miss, need, ok, plan } from '../rule.ts';

export default hostRule({
  id: 'imap-listening', title: 'The source serves IMAP on port 143', category: 'application', platform: 'linux', severity: 'warning',
  rationale: 'Users read mail over IMAP; the monitor checks it too.',
  resolution: 'Start Dovecot and check its listen setting.',
}, ['source'], (h) => {
  const l = need(h.linux?.listening, 'listening ports').filter((x) => x.port === 143);
  const evidence = [{ label: 'port 143', value: l.map((x) => x.address).join(', ') || 'nothing listens', source: 'ss -ltn' }];
  return l.some((x) => x.address !== '127.0.0.1') ? ok('IMAP is open on the network.', evidence) : miss(`${h.name} does not serve IMAP to the network.`, evidence);
}, {
  kind: 'confirm',
  plan: (_f, x) => plan('imap-listening', 'confirm', `Start Dovecot on ${x.host}`, [{ host: x.host!, description: 'start Dovecot', command: 'pgrep -x dovecot >/dev/null || dovecot </dev/null >/dev/null 2>&1', undo: 'doveadm stop' }], x.host),
});
