import { hostRule, miss, need, ok, na, plan, shq } from '../rule.ts';
import { shellCommand } from '../../../shared/quote.ts';

export default hostRule({
  id: 'dir-host-name-matches', title: 'The host calls itself what the directory calls it', category: 'directory', platform: 'linux', severity: 'warning',
  rationale: 'Failover re-homes mailboxes by server name: the host must be the server the directory means.',
  resolution: 'Set the host name to the server name in the directory (hostnamectl set-hostname).',
}, ['source', 'target'], (h, f) => {
  if (!f.directory) return na('No directory was given.');
  const n = need(h.linux?.hostname, 'the host name');
  const evidence = [{ label: 'host name', value: n.short, source: 'hostname' }, { label: 'directory', value: h.name }];
  return n.short.toLowerCase() === h.name.toLowerCase() ? ok(`${n.short} matches.`, evidence) : miss(`The host calls itself ${n.short}; the directory calls it ${h.name}.`, evidence);
}, {
  kind: 'confirm',
  plan: (f, x) => {
    const h = [f.source, ...f.targets].find((y) => y.name === x.host);
    const old = h?.linux?.hostname.ok ? h.linux.hostname.value.short : null;
    if (!h || !old) return null;
    const name = h.name.toLowerCase();
    return plan('dir-host-name-matches', 'confirm', `Rename ${old} to ${name}`, [{ kind: 'command', host: h.name, description: `set the host name to ${name}`, command: setHostname(name), undo: setHostname(old) }], h.name);
  },
});

/** The running host name and /etc/hostname, the name given as one quoted word. */
function setHostname(name: string): string {
  return `${shellCommand(['hostname', '--', name])} && printf '%s\\n' ${shq(name)} > /etc/hostname`;
}
