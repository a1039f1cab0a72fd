import { directoryRule, miss, ok, na } from '../rule.ts';

export default directoryRule({
  id: 'dir-not-dag-member', title: 'The source is not in a database availability group', category: 'directory', platform: 'directory', severity: 'warning',
  rationale: 'A DAG already replicates its databases; a second copy mechanism fights it at failover.',
  resolution: 'Let the DAG protect DAG members; use Failguard for servers outside one.',
}, ({ server }, f) => {
  const s = server(f.source.name);
  if (!s) return na('The source is not in the organisation.');
  const evidence = [{ label: 'DAG', value: s.dag ?? 'none', source: 'msExchMDBAvailabilityGroupLink' }];
  return s.dag ? miss(`${s.name} is a member of ${s.dag}.`, evidence) : ok('Not in a DAG.', evidence);
});
