import { globalRule, miss, need, ok, na } from '../rule.ts';

export default globalRule({
  id: 'dir-same-admin-group', title: 'Source and targets are in the same administrative group', category: 'directory', platform: 'directory', severity: 'warning',
  rationale: 'Re-homing mailboxes across administrative groups changes their legacyExchangeDN path and breaks cached addresses.',
  resolution: 'Prefer a target in the administrative group of the source.',
}, (f) => {
  if (!f.directory) return na('No directory was given.');
  const t = need(f.directory.topology, 'the Exchange organisation');
  const server = (name: string) => t.servers.find((s) => s.name.toLowerCase() === name.toLowerCase());
  const s = server(f.source.name);
  if (!s) return na('The source is not in the organisation.');
  return f.targets.map((x) => {
    const d = server(x.name);
    if (!d) return { ...na('The target is not in the organisation.'), host: x.name };
    const evidence = [{ label: s.name, value: s.adminGroup }, { label: d.name, value: d.adminGroup }];
    return { ...(s.adminGroup === d.adminGroup ? ok('Same group.', evidence) : miss(`${d.name} is in ${d.adminGroup}, ${s.name} in ${s.adminGroup}.`, evidence)), host: x.name };
  });
});
