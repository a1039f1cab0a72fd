import { globalRule, miss, na, need, ok, plan, type Verdict } from '../rule.ts';
import type { DnsChoiceFacts, PreflightFacts } from '../facts.ts';
import { recordStep } from '../../failover/dns-steps.ts';

const nameOf = (d: DnsChoiceFacts) => `${fqdnOf(d.record.zone, d.record.name)} ${d.record.type}`;

/** The value a missing record gets: pointing at the source, as it would be before any failover (SRV and AAAA need what only a person knows). */
function sourceValue(f: PreflightFacts, d: DnsChoiceFacts): string | null {
  const t = f.directory?.topology.ok ? f.directory.topology.value : null;
  const fqdn = (t?.servers.find((s) => s.name.toLowerCase() === f.source.name.toLowerCase())?.fqdn ?? (f.directory ? `${f.source.name.toLowerCase()}.${f.directory.dnsDomain}` : null))?.toLowerCase();
  if (d.record.type === 'A') return f.source.address;
  if (!fqdn) return null;
  return d.record.type === 'CNAME' ? fqdn : d.record.type === 'MX' ? `10 ${fqdn}` : null;
}
import { fqdnOf } from '../../../shared/dns-record.ts';

export default globalRule({
  id: 'dns-failover-records', title: 'Each DNS record chosen for failover exists and can be written', category: 'dns', platform: 'network', severity: 'error',
  rationale: 'A failover repoints the records users and other mail servers follow; a record that is missing, or that the account may not write, leaves them pointing at the dead server.',
  resolution: 'Create each chosen record pointing at the source, and give the directory account the right to write its dnsNode (AD-integrated zones); for other zones see the TSIG rule.',
}, (f) => {
  const c = f.choices;
  if (!c?.dns.length) return na('No DNS record was chosen for failover.');
  return c.dns.map((d): Verdict => {
    const name = nameOf(d);
    const values = need(d.values, name);
    const evidence = [{ label: name, value: values.join(', ') || 'none', source: d.values.command }];
    if (!values.length) return miss(`${name} does not exist, so a failover would have nothing to repoint (and an SRV's port would be unknown).`, evidence);
    if (d.writable) {
      const w = need(d.writable, `the right to write ${name}`);
      evidence.push({ label: 'the account may write it', value: w ? 'yes' : 'no', source: d.writable.command });
      if (!w) return miss(`The directory account may not write ${name}, so a failover would stop at its DNS step.`, evidence);
    }
    return ok(`${name} exists${d.writable ? ' and the account may write it' : ''}.`, evidence);
  });
}, {
  kind: 'confirm',
  // A missing record is created pointing at the source; a record the account may not write is for a person.
  plan: (f, x) => {
    const d = (f.choices?.dns ?? []).find((c) => x.evidence[0]?.label === nameOf(c) && c.values.ok && !c.values.value.length);
    const value = d ? sourceValue(f, d) : null;
    if (!d || !value || (d.writable?.ok && !d.writable.value)) return null;
    return plan('dns-failover-records', 'confirm', `Create ${nameOf(d)} pointing at ${f.source.name}`,
      [recordStep(d.record, [value], [], `create ${nameOf(d)} → ${value}`, f.directory?.dcAddress ? [f.directory.dcAddress] : [])]);
  },
});
