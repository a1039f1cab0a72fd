import { globalRule, miss, need, ok, na } from '../rule.ts';
import { dnsFix } from '../dns-fix.ts';

export default globalRule({
  id: 'dns-reverse-source', title: 'The source address resolves back to its name', category: 'dns', platform: 'directory', severity: 'warning',
  rationale: 'Receiving mail servers check that an address resolves back to its name; a missing PTR sends mail to spam.',
  resolution: 'Add a PTR record for the source address in the reverse zone.',
}, (f) => {
  const d = f.directory;
  if (!d) return na('No directory was given.');
  return [f.source].map((h) => {
    const want = `${h.name.toLowerCase()}.${d.dnsDomain}`;
    const got = need(d.dns.reverse[h.name], `the PTR record of ${h.address}`);
    const evidence = [{ label: h.address, value: got ?? 'no record', source: `DNS PTR query to ${d.dcAddress}` }];
    return { ...(got?.toLowerCase() === want ? ok(`${h.address} is ${want}.`, evidence) : miss(`${h.address} resolves back to ${got ?? 'nothing'}, not ${want}.`, evidence)), host: h.name };
  });
}, dnsFix('dns-reverse-source', 'PTR'));
