import { globalRule, miss, need, ok, na } from '../rule.ts';

export default globalRule({
  id: 'dns-mx', title: 'The MX of the domain points at a name failover moves', category: 'dns', platform: 'directory', severity: 'warning',
  rationale: 'Inbound mail follows the MX; if it names the source directly, mail keeps going to a dead server after failover.',
  resolution: 'Point the MX at the mail name of the clients (for example mail.<domain>), not at a server.',
}, (f) => {
  const d = f.directory;
  if (!d) return na('No directory was given.');
  const mx = need(d.dns.mx, 'the MX records').map((m) => m.toLowerCase());
  const evidence = [{ label: `MX of ${d.dnsDomain}`, value: mx.join(', ') || 'none', source: `DNS MX query to ${d.dcAddress}` }];
  const server = `${f.source.name.toLowerCase()}.${d.dnsDomain}`;
  if (mx.length === 0) return miss(`${d.dnsDomain} has no MX record.`, evidence);
  return mx.includes(d.dns.clientName.toLowerCase()) && !mx.includes(server) ? ok(`The MX is ${d.dns.clientName}.`, evidence) : miss(`The MX names ${mx.join(', ')}, not ${d.dns.clientName}.`, evidence);
});
