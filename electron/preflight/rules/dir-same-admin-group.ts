import { directoryRule, miss, ok, perTargetServer } from '../rule.ts';

export default directoryRule({
  id: 'dir-same-admin-group', title: 'Source and targets are in the same administrative group', category: 'directory', platform: 'directory', severity: 'warning',
  rationale: 'Re-homing mailboxes across administrative groups changes their legacyExchangeDN path and breaks cached addresses.',
  resolution: 'Prefer a target in the administrative group of the source.',
}, (d, f) => perTargetServer(d, f, (s, t) => {
  const evidence = [{ label: s.name, value: s.adminGroup }, { label: t.name, value: t.adminGroup }];
  return s.adminGroup === t.adminGroup ? ok('Same group.', evidence) : miss(`${t.name} is in ${t.adminGroup}, ${s.name} in ${s.adminGroup}.`, evidence);
}));
