import { globalRule, miss, need, ok, na, perTarget } from '../rule.ts';

export default globalRule({
  id: 'latency', title: 'Round trips between target and source are short', category: 'network', platform: 'network', severity: 'warning',
  rationale: 'Long round trips slow replication and make the failover monitor\'s timeouts harder to choose.',
  resolution: 'Expect a larger lag; choose compression and a longer failover timeout in the options.',
}, (f) => perTarget(f, (t) => {
  const p = t.paths.find((x) => x.peer === f.source.name);
  if (!p) return { ...na(`${t.name} was not probed.`), host: t.name };
  const m = need(p.pathMtu, 'round trips');
  const evidence = [{ label: 'average round trip', value: m.rttMs === null ? 'no answer' : `${m.rttMs} ms`, source: 'ping -c 3' }];
  if (m.rttMs === null) return { ...na('No ping answer to time.'), host: t.name };
  return { ...(m.rttMs <= 50 ? ok(`${m.rttMs} ms.`, evidence) : miss(`Round trips take ${m.rttMs} ms.`, evidence)), host: t.name };
}));
