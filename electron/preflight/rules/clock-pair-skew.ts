import { globalRule, miss, need, ok, na, perTarget } from '../rule.ts';

export default globalRule({
  id: 'clock-pair-skew', title: 'Source and target clocks agree', category: 'time', platform: 'linux', severity: 'warning',
  rationale: 'Replication timestamps and the order of events after failover depend on close clocks.',
  resolution: 'Point source and target at the same time source.',
}, (f) => perTarget(f, (t) => {
  if (!f.source.linux || !t.linux) return { ...na('Not a Linux pair.'), host: t.name };
  const d = need(t.linux.clockEpoch, 'the target clock') - need(f.source.linux.clockEpoch, 'the source clock');
  const evidence = [{ label: `${t.name} − ${f.source.name}`, value: `${d.toFixed(1)} s`, source: 'date -u +%s.%N' }];
  return { ...(Math.abs(d) <= 2 ? ok(`Within ${Math.abs(d).toFixed(1)} s.`, evidence) : miss(`${t.name} and ${f.source.name} differ by ${Math.abs(d).toFixed(0)} s.`, evidence)), host: t.name };
}));
