import { hostRule, miss, na, need, ok } from '../rule.ts';

/** Not run live: judged on Win32_NetworkAdapterConfiguration (recorded samples in the tests). */
export default hostRule({
  id: 'win-static-address', title: 'The server has a fixed IP address', category: 'network', platform: 'windows', severity: 'warning',
  rationale: 'Failover moves DNS names to known addresses; a server whose address can change breaks that.',
  resolution: 'Give the adapter a static address (or a DHCP reservation you keep in DNS).',
}, ['source', 'target'], (h) => {
  if (!h.windows) return na('Not a Windows server.');
  const cfg = need(h.windows.nicConfig, 'Win32_NetworkAdapterConfiguration');
  const evidence = cfg.map((c) => ({ label: c.addresses[0] ?? `adapter ${c.index}`, value: c.dhcp ? 'DHCP' : 'static', source: 'Get-WmiObject Win32_NetworkAdapterConfiguration' }));
  return cfg.every((c) => !c.dhcp) ? ok('Static addresses.', evidence) : miss(`${h.name} takes its address from DHCP.`, evidence);
});
