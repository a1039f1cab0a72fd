/**
 * Fixes for DNS rules: write the record in the directory's zone over LDAP (the DC
 * serves AD-integrated zones from there). The plan names the record exactly, with the
 * values it replaces, so it can be undone.
 */
import type { Finding } from '../../shared/preflight.ts';
import type { PreflightFacts } from './facts.ts';
import { allHosts } from './facts.ts';
import { plan, type RuleFix } from './rule.ts';

export function reverseZoneOf(address: string): { zone: string; name: string } {
  const [a, b, c, d] = address.split('.');
  return { zone: `${c}.${b}.${a}.in-addr.arpa`, name: d! };
}

export function dnsFix(ruleId: string, type: 'A' | 'PTR'): RuleFix {
  return {
    kind: 'confirm',
    plan(f: PreflightFacts, x: Finding) {
      const d = f.directory;
      const h = allHosts(f).find((y) => y.name === x.host);
      if (!d || !h) return null;
      if (type === 'PTR') {
        const { zone, name } = reverseZoneOf(h.address);
        const value = `${h.name.toLowerCase()}.${d.dnsDomain}`;
        const seen = d.dns.reverse[h.name];
        const previous = seen?.ok && seen.value ? [seen.value] : [];
        return plan(ruleId, 'confirm', `Make ${h.address} resolve back to ${value}`, [{ kind: 'dns-record', description: `set the PTR record ${name}.${zone} to ${value}`, zone, name, type: 'PTR', values: [value], previous }], h.name);
      }
      const clientName = ruleId === 'dns-client-name';
      const fqdn = clientName ? d.dns.clientName : `${h.name.toLowerCase()}.${d.dnsDomain}`;
      const name = fqdn.slice(0, -(d.dnsDomain.length + 1));
      const got = clientName ? d.dns.clientA : d.dns.forward[h.name];
      const previous = got?.ok ? got.value : [];
      return plan(ruleId, 'confirm', `Point ${fqdn} at ${h.address}`, [{ kind: 'dns-record', description: `set the A record ${fqdn} to ${h.address}${previous.length ? ` (was ${previous.join(', ')})` : ''}`, zone: d.dnsDomain, name, type: 'A', values: [h.address], previous }], h.name);
    },
  };
}
