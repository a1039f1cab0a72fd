import { hostRule, miss, need, ok, plan } from '../rule.ts';

/** Where the folder's content waits while the subvolume is made. */
const KEEP = '/srv/mail.before-failguard';

export default hostRule({
  id: 'mail-subvolume', title: '/srv/mail is a btrfs subvolume', category: 'storage', platform: 'linux', severity: 'error',
  rationale: 'Snapshots are taken per subvolume: the mail and its queue must live in one, alone.',
  resolution: 'Create it with btrfs subvolume create /srv/mail and move the Maildirs and the Postfix queue into it.',
}, ['source', 'target'], (h) => {
  const s = need(h.linux?.subvolumes, 'btrfs subvolumes');
  const evidence = [{ label: 'subvolumes of /srv', value: s.list.join(', ') || 'none', source: 'btrfs subvolume list /srv' }];
  return s.mailIsSubvolume ? ok('/srv/mail is a subvolume.', evidence) : miss(`/srv/mail on ${h.name} is not a btrfs subvolume.`, evidence);
}, {
  kind: 'confirm',
  plan: (_f, x) => {
    return plan('mail-subvolume', 'confirm', `Make /srv/mail a subvolume on ${x.host}, keeping its content`, [
      { kind: 'command', host: x.host!, description: `move what is in /srv/mail aside to ${KEEP}`, command: `if [ -e /srv/mail ]; then mv /srv/mail ${KEEP}; fi`, undo: `[ -e ${KEEP} ] && mv ${KEEP} /srv/mail` },
      { kind: 'command', host: x.host!, description: 'create the subvolume', command: 'btrfs subvolume create /srv/mail', undo: 'btrfs subvolume delete /srv/mail' },
      { kind: 'command', host: x.host!, description: 'copy the content back (reflinks: no extra space), keeping owners and modes', command: `if [ -e ${KEEP} ]; then cp -a --reflink=auto ${KEEP}/. /srv/mail/ && chown --reference=${KEEP} /srv/mail && chmod --reference=${KEEP} /srv/mail && rm -rf ${KEEP}; fi` },
    ], x.host);
  },
});
