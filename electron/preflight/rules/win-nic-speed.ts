import { hostRule, miss, na, need, ok } from '../rule.ts';

/** Not run live: judged on Win32_NetworkAdapter (recorded samples in the tests). */
export default hostRule({
  id: 'win-nic-speed', title: 'The network link runs at 1 Gbit/s or more', category: 'network', platform: 'windows', severity: 'warning',
  rationale: 'The first copy moves every database; on a slow link it takes days and replication lags behind.',
  resolution: 'Use a gigabit (or faster) adapter and check the switch port for a fixed lower speed.',
}, ['source', 'target'], (h) => {
  if (!h.windows) return na('Not a Windows server.');
  const nics = need(h.windows.nics, 'Win32_NetworkAdapter');
  const evidence = nics.map((n) => ({ label: n.name, value: n.speedBps === null ? 'unknown' : `${n.speedBps / 1e6} Mbit/s`, source: 'Get-WmiObject Win32_NetworkAdapter' }));
  const fastest = Math.max(0, ...nics.map((n) => n.speedBps ?? 0));
  return fastest >= 1e9 ? ok(`${fastest / 1e9} Gbit/s.`, evidence) : miss(`${h.name}'s fastest connected adapter runs at ${fastest / 1e6} Mbit/s.`, evidence);
});
