import { globalRule, miss, need, ok, na } from '../rule.ts';
import { dnsFix } from '../dns-fix.ts';

export default globalRule({
  id: 'dns-client-name', title: 'The name clients use points at the source', category: 'dns', platform: 'directory', severity: 'error',
  rationale: 'Failover moves this one name to the target; it must point at the source now.',
  resolution: 'Point the mail name of the clients (an A record) at the source.',
}, (f) => {
  const d = f.directory;
  if (!d) return na('No directory was given.');
  const got = need(d.dns.clientA, `the A record of ${d.dns.clientName}`);
  const evidence = [{ label: d.dns.clientName, value: got.join(', ') || 'no record', source: `DNS A query to ${d.dcAddress}` }];
  return { ...(got.length === 1 && got[0] === f.source.address ? ok(`${d.dns.clientName} is the source.`, evidence) : miss(`${d.dns.clientName} is ${got.join(', ') || 'not in DNS'}, not the source ${f.source.address}.`, evidence)), host: f.source.name };
}, dnsFix('dns-client-name', 'A'));
