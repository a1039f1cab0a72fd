import { hostRule, miss, need, ok } from '../rule.ts';

export default hostRule({
  id: 'srv-is-btrfs', title: 'The mail volume /srv is btrfs', category: 'storage', platform: 'linux', severity: 'error',
  rationale: 'Replication sends btrfs snapshots: consistent, incremental and cheap.',
  resolution: 'Put /srv on a btrfs file system (mkfs.btrfs) and move the mail data onto it.',
}, ['source', 'target'], (h) => {
  const m = need(h.linux?.srvMount, 'the /srv mount');
  if (!m) return miss(`Nothing is mounted on /srv on ${h.name}.`, [{ label: '/srv', value: 'not a mount point', source: 'findmnt -M /srv' }]);
  const evidence = [{ label: '/srv', value: `${m.fstype} on ${m.source}`, source: 'findmnt -M /srv' }];
  return m.fstype === 'btrfs' ? ok('/srv is btrfs.', evidence) : miss(`/srv on ${h.name} is ${m.fstype}, not btrfs.`, evidence);
});
