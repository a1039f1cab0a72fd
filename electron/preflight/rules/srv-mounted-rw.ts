import { hostRule, miss, need, ok, plan } from '../rule.ts';

export default hostRule({
  id: 'srv-mounted-rw', title: 'The mail volume is writable', category: 'storage', platform: 'linux', severity: 'error',
  rationale: 'A read-only source loses mail; a read-only target cannot receive replicas.',
  resolution: 'Remount it read-write (mount -o remount,rw /srv) and find out why it went read-only (dmesg).',
}, ['source', 'target'], (h) => {
  const m = need(h.linux?.srvMount, 'the /srv mount');
  if (!m) return miss(`Nothing is mounted on /srv on ${h.name}.`);
  const evidence = [{ label: 'mount options', value: m.options.join(','), source: 'findmnt -M /srv' }];
  return m.options.includes('rw') ? ok('/srv is mounted read-write.', evidence) : miss(`/srv on ${h.name} is mounted read-only.`, evidence);
}, {
  kind: 'confirm',
  plan: (_f, x) => plan('srv-mounted-rw', 'confirm', `Remount /srv read-write on ${x.host}`, [{ kind: 'command', host: x.host!, description: 'remount /srv read-write', command: 'mount -o remount,rw /srv', undo: 'mount -o remount,ro /srv' }], x.host),
});
