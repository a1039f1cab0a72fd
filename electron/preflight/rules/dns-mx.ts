import { globalRule, miss, need, ok, na, plan } from '../rule.ts';

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
  // An MX that a failover repoints itself is fine as it is.
  if (f.choices?.dns.some((c) => !c.record.server && c.record.type === 'MX' && c.record.name === '@' && c.record.zone.toLowerCase() === d.dnsDomain.toLowerCase())) return ok(`The MX is among the records a failover repoints.`, evidence);
  return mx.includes(d.dns.clientName.toLowerCase()) && !mx.includes(server) ? ok(`The MX is ${d.dns.clientName}.`, evidence) : miss(`The MX names ${mx.join(', ')}, not ${d.dns.clientName}.`, evidence);
}, {
  kind: 'confirm',
  plan: (f) => {
    const d = f.directory;
    if (!d || !d.dns.mx.ok) return null;
    const mx = d.dns.mx.value.map((m) => m.toLowerCase());
    return plan('dns-mx', 'confirm', `Point the MX of ${d.dnsDomain} at ${d.dns.clientName}`, [{
      kind: 'dns-record', description: `set the MX of ${d.dnsDomain} to ${d.dns.clientName} (preference 10)${mx.length ? ` (was ${mx.join(', ')})` : ''}`,
      zone: d.dnsDomain, name: '@', type: 'MX', values: [`10 ${d.dns.clientName.toLowerCase()}`], previous: mx, askServers: [d.dcAddress],
    }]);
  },
});
