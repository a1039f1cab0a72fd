import { hostRule, miss, need, ok } from '../rule.ts';

const MIN_KB = 1024 * 1024;

export default hostRule({
  id: 'memory-minimum', title: 'The host has at least 1 GiB of memory', category: 'os', platform: 'linux', severity: 'warning',
  rationale: 'Mail services plus replication need room; a starved standby fails over slowly.',
  resolution: 'Give the host at least 1 GiB of memory.',
}, ['source', 'target'], (h) => {
  const m = need(h.linux?.memory, 'memory');
  const evidence = [{ label: 'memory', value: `${Math.round(m.totalKb / 1024)} MiB (${Math.round(m.availableKb / 1024)} MiB available)`, source: '/proc/meminfo' }];
  return m.totalKb >= MIN_KB ? ok('Enough memory.', evidence) : miss(`${h.name} has only ${Math.round(m.totalKb / 1024)} MiB of memory.`, evidence);
});
