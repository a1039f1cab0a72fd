import { hostRule, miss, need, ok, plan } from '../rule.ts';

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
    const keep = '/srv/mail.before-failguard';
    return plan('mail-subvolume', 'confirm', `Make /srv/mail a subvolume on ${x.host}, keeping its content`, [
      { kind: 'command', host: x.host!, description: `move what is in /srv/mail aside to ${keep}`, command: `if [ -e /srv/mail ]; then mv /srv/mail ${keep}; fi`, undo: `[ -e ${keep} ] && mv ${keep} /srv/mail` },
      { kind: 'command', host: x.host!, description: 'create the subvolume', command: 'btrfs subvolume create /srv/mail', undo: 'btrfs subvolume delete /srv/mail' },
      { kind: 'command', host: x.host!, description: 'copy the content back (reflinks: no extra space), keeping owners and modes', command: `if [ -e ${keep} ]; then cp -a --reflink=auto ${keep}/. /srv/mail/ && chown --reference=${keep} /srv/mail && chmod --reference=${keep} /srv/mail && rm -rf ${keep}; fi` },
    ], x.host);
  },
});
