import { globalRule, miss, need, ok, na } from '../rule.ts';
import { sameMajorVersion } from '../../../shared/topology.ts';

export default globalRule({
  id: 'dir-same-version', title: 'Source and targets run the same Exchange version', category: 'directory', platform: 'directory', severity: 'error',
  rationale: 'Databases of one major version cannot be mounted by another.',
  resolution: 'Install the same major version (and ideally the same update) on the target.',
}, (f) => {
  if (!f.directory) return na('No directory was given.');
  const t = need(f.directory.topology, 'the Exchange organisation');
  const server = (name: string) => t.servers.find((s) => s.name.toLowerCase() === name.toLowerCase());
  const s = server(f.source.name);
  if (!s) return na('The source is not in the organisation.');
  return f.targets.map((x) => {
    const d = server(x.name);
    if (!d) return { ...na('The target is not in the organisation.'), host: x.name };
    const evidence = [{ label: s.name, value: s.version.text, source: 'serialNumber' }, { label: d.name, value: d.version.text, source: 'serialNumber' }];
    return { ...(sameMajorVersion(s.version, d.version) ? ok(`Both run ${s.version.product}.`, evidence) : miss(`${d.name} runs ${d.version.product}, ${s.name} runs ${s.version.product}.`, evidence)), host: x.name };
  });
});
