import { hostRule, miss, need, ok } from '../rule.ts';

export default hostRule({
  id: 'queue-on-mail-volume', title: 'The Postfix queue lives in /srv/mail', category: 'application', platform: 'linux', severity: 'error',
  rationale: 'Mail accepted but not yet delivered sits in the queue; outside the replicated subvolume it is lost at failover.',
  resolution: 'Move the queue into the subvolume: postfix stop; postconf -e queue_directory=/srv/mail/queue; postfix start.',
}, ['source'], (h) => {
  const q = need(h.linux?.postfix, 'Postfix settings').queue_directory ?? '';
  const evidence = [{ label: 'queue_directory', value: q, source: 'postconf -h queue_directory' }];
  return q === '/srv/mail' || q.startsWith('/srv/mail/') ? ok('The queue is replicated with the mail.', evidence) : miss(`Postfix on ${h.name} queues mail in ${q}, outside /srv/mail.`, evidence);
});
