import { hostRule, miss, need, ok, na, plan, shq } from '../rule.ts';

export default hostRule({
  id: 'resolver-uses-dc', title: 'The host resolves names through the directory\'s DNS', category: 'dns', platform: 'linux', severity: 'warning',
  rationale: 'At failover Failguard moves DNS records in the directory; a host asking another resolver sees the old address.',
  resolution: 'Put a DC first in /etc/resolv.conf (or the network configuration).',
}, ['source', 'target', 'witness'], (h, f) => {
  if (!f.directory) return na('No directory was given.');
  const r = need(h.linux?.resolv, '/etc/resolv.conf');
  const evidence = [{ label: 'nameservers', value: r.nameservers.join(', ') || 'none', source: 'cat /etc/resolv.conf' }];
  return r.nameservers[0] === f.directory.dcAddress ? ok('The DC is the first resolver.', evidence) : miss(`${h.name} asks ${r.nameservers[0] ?? 'no server'} first, not the DC ${f.directory.dcAddress}.`, evidence);
}, {
  kind: 'confirm',
  plan: (f, x) => f.directory ? plan('resolver-uses-dc', 'confirm', `Ask the DC first for names on ${x.host}`, [
    { kind: 'command', host: x.host!, description: 'keep a copy of /etc/resolv.conf', command: 'cp -p /etc/resolv.conf /etc/resolv.conf.before-failguard', undo: 'cp -p /etc/resolv.conf.before-failguard /etc/resolv.conf' },
    { kind: 'command', host: x.host!, description: `put nameserver ${f.directory.dcAddress} first`, command: `{ printf 'nameserver %s\\n' ${shq(f.directory.dcAddress)}; grep -vxF -- ${shq(`nameserver ${f.directory.dcAddress}`)} /etc/resolv.conf.before-failguard; } > /etc/resolv.conf` },
  ], x.host) : null,
});
