import { hostRule, miss, need, ok, plan } from '../rule.ts';
import { shellCommand } from '../../../shared/quote.ts';

export default hostRule({
  id: 'data-not-world-writable', title: 'Mail folders are not writable by everyone', category: 'security', platform: 'linux', severity: 'warning',
  rationale: 'Any local user could plant or delete mail, and the damage would be replicated.',
  resolution: 'Remove write access for others: chmod o-w on the mail folders.',
}, ['source', 'target'], (h) => {
  const paths = need(h.linux?.dataPaths, 'mail folders').filter((p) => p.owner !== 'missing');
  const open = paths.filter((p) => (parseInt(p.mode, 8) & 0o002) !== 0);
  const evidence = paths.map((p) => ({ label: p.path, value: p.mode, source: 'stat -c %a' }));
  return open.length === 0 ? ok('No mail folder is world-writable.', evidence) : miss(`${open.map((p) => p.path).join(', ')} on ${h.name} can be written by anyone.`, evidence);
}, {
  kind: 'confirm',
  plan: (f, x) => {
    const h = [f.source, ...f.targets].find((y) => y.name === x.host);
    const paths = h?.linux?.dataPaths.ok ? h.linux.dataPaths.value.filter((p) => p.owner !== 'missing' && (parseInt(p.mode, 8) & 0o002) !== 0) : [];
    return paths.length ? plan('data-not-world-writable', 'confirm', `Remove write access for others on ${x.host}`, paths.map((p) => ({ kind: 'command', host: x.host!, description: `chmod o-w ${p.path}`, command: shellCommand(['chmod', 'o-w', '--', p.path]), undo: shellCommand(['chmod', p.mode, '--', p.path]) })), x.host) : null;
  },
});
