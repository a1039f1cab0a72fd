import { hostRule, miss, need, ok, plan } from '../rule.ts';
import { shellCommand } from '../../../shared/quote.ts';

export default hostRule({
  id: 'agent-dir-secure', title: 'Failguard\'s folder is private to root', category: 'security', platform: 'linux', severity: 'warning',
  rationale: 'The agent runs as root from /opt/failguard; anyone who can write there can run code as root.',
  resolution: 'chown root:root /opt/failguard; chmod 750 /opt/failguard.',
}, ['source', 'target', 'witness'], (h) => {
  const d = need(h.linux?.agentDir, '/opt/failguard');
  if (!d) return ok('Not installed yet; provisioning creates it private.', [{ label: '/opt/failguard', value: 'absent', source: 'stat /opt/failguard' }]);
  const evidence = [{ label: '/opt/failguard', value: `uid ${d.owner}, gid ${d.group}, mode ${d.mode}`, source: 'stat /opt/failguard' }];
  return d.owner === '0' && (parseInt(d.mode, 8) & 0o022) === 0 ? ok('Private to root.', evidence) : miss(`/opt/failguard on ${h.name} is owned by uid ${d.owner} with mode ${d.mode}.`, evidence);
}, {
  kind: 'safe',
  plan: (f, x) => {
    const h = [f.source, ...f.targets, ...(f.witness ? [f.witness] : [])].find((y) => y.name === x.host);
    const d = h?.linux?.agentDir.ok ? h.linux.agentDir.value : null;
    if (!d) return null;
    return plan('agent-dir-secure', 'safe', `Make /opt/failguard private on ${x.host}`, [{ kind: 'command', host: x.host!, description: 'owner root, no write for group or others', command: 'chown root:root /opt/failguard && chmod 750 /opt/failguard', undo: `${shellCommand(['chown', '--', `${d.owner}:${d.group}`, '/opt/failguard'])} && ${shellCommand(['chmod', '--', d.mode, '/opt/failguard'])}` }], x.host);
  },
});
