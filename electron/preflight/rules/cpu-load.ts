import { hostRule, miss, need, ok } from '../rule.ts';

export default hostRule({
  id: 'cpu-load', title: 'The host is not overloaded', category: 'os', platform: 'linux', severity: 'warning',
  rationale: 'The first full copy of the mail data adds load; a host already saturated will fall behind.',
  resolution: 'Find what keeps the host busy (top), or schedule the first copy for a quiet time.',
}, ['source', 'target'], (h) => {
  const c = need(h.linux?.cpu, 'processor load');
  const evidence = [{ label: 'load (1 min) / cores', value: `${c.load1} / ${c.cores}`, source: '/proc/loadavg; nproc' }];
  return c.load1 <= c.cores * 2 ? ok('Load is normal.', evidence) : miss(`${h.name} is overloaded (load ${c.load1} on ${c.cores} cores).`, evidence);
});
