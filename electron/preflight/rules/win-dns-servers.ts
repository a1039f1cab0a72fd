import { hostRule, miss, na, need, ok, plan } from '../rule.ts';
import { psq } from '../../../shared/quote.ts';
import { encodedPowerShell } from '../../hosts/windows/probe-script.ts';

/** Not run live: judged on Win32_NetworkAdapterConfiguration (recorded samples in the tests). */
export default hostRule({
  id: 'win-dns-servers', title: 'The server asks the directory\'s DNS', category: 'dns', platform: 'windows', severity: 'warning',
  rationale: 'Exchange finds DCs and peers through DNS; asking another resolver misses the records failover moves.',
  resolution: 'Set the adapter\'s DNS servers to your DCs.',
}, ['source', 'target'], (h, f) => {
  if (!h.windows) return na('Not a Windows server.');
  const cfg = need(h.windows.nicConfig, 'Win32_NetworkAdapterConfiguration');
  const dns = cfg.flatMap((c) => c.dns);
  const evidence = [{ label: 'DNS servers', value: dns.join(', ') || 'none', source: 'Get-WmiObject Win32_NetworkAdapterConfiguration' }];
  if (dns.length === 0) return miss(`${h.name} has no DNS server set.`, evidence);
  if (f.directory && !dns.includes(f.directory.dcAddress)) return miss(`${h.name} asks ${dns.join(', ')}, not the DC ${f.directory.dcAddress}.`, evidence);
  return ok(`Asks ${dns.join(', ')}.`, evidence);
}, {
  kind: 'confirm',
  plan: (f, x) => {
    const h = [f.source, ...f.targets].find((y) => y.name === x.host);
    const cfg = h?.windows?.nicConfig.ok ? h.windows.nicConfig.value[0] : undefined;
    if (!f.directory || !cfg || cfg.index === null) return null;
    return plan('win-dns-servers', 'confirm', `Point ${x.host} at the DC for DNS`, [{ kind: 'command', host: x.host!, description: `set the DNS servers of adapter ${cfg.index} to ${f.directory.dcAddress}`,
      command: encodedPowerShell(`Set-DnsClientServerAddress -InterfaceIndex ${Number(cfg.index)} -ServerAddresses ${psq(f.directory.dcAddress)}`),
      undo: cfg.dns.length ? encodedPowerShell(`Set-DnsClientServerAddress -InterfaceIndex ${Number(cfg.index)} -ServerAddresses ${cfg.dns.map(psq).join(',')}`) : undefined }], x.host);
  },
});
