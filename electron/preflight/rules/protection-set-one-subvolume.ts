import { hostRule, miss, need, ok } from '../rule.ts';

/**
 * A btrfs snapshot stops at subvolume boundaries: a subvolume nested inside /srv/mail is
 * not in a snapshot of /srv/mail, so a consistency point would miss it (and write order
 * across the two could not hold). The layout is refused rather than half protected.
 */
export default hostRule({
  id: 'protection-set-one-subvolume', title: 'The protected data is one subvolume, with none nested inside', category: 'storage', platform: 'linux', severity: 'error',
  rationale: 'A consistency point is one atomic snapshot of /srv/mail; a subvolume nested inside it is left out of every snapshot, so the standby would get an empty folder in its place.',
  resolution: 'Turn each nested subvolume into an ordinary folder: copy it aside with cp -a --reflink=auto, delete the subvolume (btrfs subvolume delete), and move the copy into its place.',
}, ['source', 'target'], (h) => {
  const s = need(h.linux?.subvolumes, 'btrfs subvolumes');
  const nested = s.list.filter((p) => p.startsWith('mail/'));
  const evidence = [{ label: 'subvolumes inside /srv/mail', value: nested.map((p) => `/srv/${p}`).join(', ') || 'none', source: 'btrfs subvolume list /srv' }];
  return nested.length ? miss(`${nested.map((p) => `/srv/${p}`).join(', ')} on ${h.name} ${nested.length === 1 ? 'is a subvolume' : 'are subvolumes'} of ${nested.length === 1 ? 'its' : 'their'} own inside /srv/mail, which snapshots of /srv/mail leave out.`, evidence)
    : ok('Nothing inside /srv/mail is a subvolume of its own.', evidence);
});
