import { globalRule, miss, need, ok, na } from '../rule.ts';
import { dnsFix } from '../dns-fix.ts';

export default globalRule({
  id: 'dns-forward-target', title: 'The target name resolves to its address in the directory DNS', category: 'dns', platform: 'directory', severity: 'error',
  rationale: 'Clients, the agent and failover itself find the target by name.',
  resolution: 'Correct the A record of the target in the DNS zone of the directory.',
}, (f) => {
  const d = f.directory;
  if (!d) return na('No directory was given.');
  return f.targets.map((h) => {
    const got = need(d.dns.forward[h.name], `the A record of ${h.name}`);
    const evidence = [{ label: `${h.name.toLowerCase()}.${d.dnsDomain}`, value: got.join(', ') || 'no record', source: `DNS A query to ${d.dcAddress}` }];
    return { ...(got.length === 1 && got[0] === h.address ? ok(`${h.name} is ${h.address}.`, evidence) : miss(`DNS says ${h.name} is ${got.join(', ') || 'nowhere'}; it is ${h.address}.`, evidence)), host: h.name };
  });
}, dnsFix('dns-forward-target', 'A'));
