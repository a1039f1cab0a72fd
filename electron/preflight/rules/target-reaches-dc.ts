import { hostRule, miss, need, ok, na } from '../rule.ts';

export default hostRule({
  id: 'target-reaches-dc', title: 'The target can reach a domain controller', category: 'network', platform: 'network', severity: 'error',
  rationale: 'At failover the target must sign in to the directory and its clients must find it in DNS.',
  resolution: 'Allow LDAPS (636) and DNS (53) from the target to a DC.',
}, ['target'], (h) => {
  if (!h.dcPath) return na('No directory was given.');
  const s = need(h.dcPath, 'the path to the DC');
  const evidence = [{ label: 'LDAPS to the DC', value: s, source: h.dcPath.command }];
  return s === 'open' ? ok('The DC answers.', evidence) : miss(`${h.name} cannot reach the DC's LDAPS port (${s}).`, evidence);
});
