import { globalRule, miss, need, ok, na, perTarget } from '../rule.ts';

export default globalRule({
  id: 'target-space-for-source', title: 'Each target has room for the source\'s mail', category: 'storage', platform: 'linux', severity: 'error',
  rationale: 'The first copy writes everything the source holds, plus headroom for snapshots.',
  resolution: 'Grow the target\'s /srv to at least 1.2 times what the source uses.',
}, (f) => perTarget(f, (t) => {
  if (!f.source.linux || !t.linux) return { ...na('Not a Linux pair.'), host: t.name };
  const used = need(f.source.linux.srvSpace, 'space on the source').used;
  const avail = need(t.linux.srvSpace, 'space on the target').avail;
  const evidence = [{ label: `${f.source.name} uses`, value: `${(used / 2 ** 20).toFixed(0)} MiB`, source: 'df -B1 /srv' }, { label: `${t.name} has free`, value: `${(avail / 2 ** 20).toFixed(0)} MiB`, source: 'df -B1 /srv' }];
  return { ...(avail >= used * 1.2 ? ok('Enough room.', evidence) : miss(`${t.name} has ${(avail / 2 ** 20).toFixed(0)} MiB free for ${(used / 2 ** 20).toFixed(0)} MiB of mail.`, evidence)), host: t.name };
}));
