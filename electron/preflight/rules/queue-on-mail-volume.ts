import { hostRule, miss, need, ok, plan } from '../rule.ts';
import { shellCommand } from '../../../shared/quote.ts';

export default hostRule({
  id: 'queue-on-mail-volume', title: 'The Postfix queue lives in /srv/mail', category: 'application', platform: 'linux', severity: 'error',
  rationale: 'Mail accepted but not yet delivered sits in the queue; outside the replicated subvolume it is lost at failover.',
  resolution: 'Move the queue into the subvolume: postfix stop; postconf -e queue_directory=/srv/mail/queue; postfix start.',
}, ['source'], (h) => {
  const q = need(h.linux?.postfix, 'Postfix settings').queue_directory ?? '';
  const evidence = [{ label: 'queue_directory', value: q, source: 'postconf -h queue_directory' }];
  return q === '/srv/mail' || q.startsWith('/srv/mail/') ? ok('The queue is replicated with the mail.', evidence) : miss(`Postfix on ${h.name} queues mail in ${q}, outside /srv/mail.`, evidence);
}, {
  kind: 'confirm',
  plan: (f, x) => {
    const h = f.source;
    const old = h.linux?.postfix.ok ? h.linux.postfix.value.queue_directory : undefined;
    if (!old) return null;
    return plan('queue-on-mail-volume', 'confirm', `Move the Postfix queue of ${h.name} into /srv/mail/queue (mail is held for a moment)`, [
      { kind: 'command', host: x.host!, description: 'stop Postfix so the queue does not change while it moves', command: 'postfix stop', undo: 'postfix start' },
      { kind: 'command', host: x.host!, description: 'copy the queue into the subvolume', command: `mkdir -p /srv/mail/queue && ${shellCommand(['cp', '-a', '--', `${old}/.`, '/srv/mail/queue/'])}` },
      { kind: 'command', host: x.host!, description: 'point Postfix at it', command: "postconf -e queue_directory=/srv/mail/queue", undo: shellCommand(['postconf', '-e', `queue_directory=${old}`]) },
      { kind: 'command', host: x.host!, description: 'start Postfix again', command: 'postfix start' },
    ], x.host);
  },
});
