import { globalRule, miss, na, need, ok, plan, type Verdict } from '../rule.ts';
import { fqdnOf } from '../../../shared/dns-record.ts';
import type { Finding } from '../../../shared/preflight.ts';
import type { PreflightFacts } from '../facts.ts';
import { recordStep } from '../../failover/dns-steps.ts';

/** Longer than this, and clients keep using the dead source for minutes after a failover. */
const MAX_TTL = 300;
const nameOf = (d: { record: { zone: string; name: string; type: string } }) => `${fqdnOf(d.record.zone, d.record.name)} ${d.record.type}`;
const tooLong = (f: PreflightFacts) => (f.choices?.dns ?? []).filter((d) => d.values.ok && d.values.value.length && d.ttl !== null && d.ttl > Math.max(MAX_TTL, d.record.ttl));

export default globalRule({
  id: 'dns-failover-ttl', title: 'The DNS records chosen for failover have short TTLs ahead of time', category: 'dns', platform: 'network', severity: 'warning',
  rationale: 'Resolvers keep an answer for its TTL: a record kept for an hour before the failover sends clients to the dead source for up to an hour after it, however fast the failover itself is.',
  resolution: 'Lower the TTL of each chosen record to 5 minutes or less now, well ahead of any failover (the values stay the same).',
}, (f) => {
  const dns = f.choices?.dns ?? [];
  if (!dns.length) return na('No DNS record was chosen for failover.');
  return dns.map((d): Verdict => {
    const values = need(d.values, nameOf(d));
    if (!values.length || d.ttl === null) return na(`${nameOf(d)} does not exist (another rule says so).`);
    const evidence = [{ label: `${nameOf(d)} TTL`, value: `${d.ttl} s`, source: d.values.command }];
    return d.ttl > Math.max(MAX_TTL, d.record.ttl)
      ? miss(`${nameOf(d)} is kept ${Math.round(d.ttl / 60)} minutes by resolvers, so clients could follow a failover only that long after it.`, evidence)
      : ok(`${nameOf(d)} has a TTL of ${d.ttl} s.`, evidence);
  });
}, {
  kind: 'confirm',
  // Same values, shorter TTL: nothing moves, and the next failover is seen sooner.
  plan: (f: PreflightFacts, x: Finding) => {
    // One plan per finding: the record it is about is named in its evidence.
    const long = tooLong(f).filter((d) => x.evidence[0]?.label === `${nameOf(d)} TTL`);
    if (!long.length) return null;
    return plan('dns-failover-ttl', 'confirm', `Lower the TTL of ${nameOf(long[0]!)} to ${long[0]!.record.ttl} s`, long.map((d) => {
      const now = d.values.ok ? d.values.value : [];
      return recordStep(d.record, now, now, `keep ${nameOf(d)} as it is, with a TTL of ${d.record.ttl} s instead of ${d.ttl} s`, f.directory?.dcAddress ? [f.directory.dcAddress] : []);
    }));
  },
});
