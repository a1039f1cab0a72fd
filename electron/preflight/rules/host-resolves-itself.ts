import { hostRule, miss, need, ok, plan } from '../rule.ts';
import { shellCommand } from '../../../shared/quote.ts';

export default hostRule({
  id: 'host-resolves-itself', title: 'The host resolves its own name to its own address', category: 'dns', platform: 'linux', severity: 'warning',
  rationale: 'Postfix and Dovecot greet and sign with the host\'s name; a name that resolves elsewhere confuses peers and logs.',
  resolution: 'Add the host\'s name and address to /etc/hosts, or fix its DNS record.',
}, ['source', 'target'], (h) => {
  const got = need(h.linux?.selfResolve, 'the host name lookup');
  const name = need(h.linux?.hostname, 'the host name').fqdn;
  const evidence = [{ label: name, value: got ?? 'does not resolve', source: 'getent ahostsv4 $(hostname -f)' }];
  return got === h.address ? ok(`${name} is ${got}.`, evidence) : miss(`${name} resolves to ${got ?? 'nothing'} on ${h.name}, not ${h.address}.`, evidence);
}, {
  kind: 'safe',
  plan: (f, x) => {
    const h = [f.source, ...f.targets].find((y) => y.name === x.host);
    const name = h?.linux?.hostname.ok ? h.linux.hostname.value : null;
    if (!h || !name) return null;
    return plan('host-resolves-itself', 'safe', `Name ${h.address} ${name.fqdn} in /etc/hosts on ${h.name}`, [{ kind: 'command', host: h.name, description: 'add a line to /etc/hosts', command: `printf '%s %s %s # failguard\\n' ${shellCommand([h.address, name.fqdn, name.short])} >> /etc/hosts`, undo: "sed -i '/ # failguard$/d' /etc/hosts" }], h.name);
  },
});
