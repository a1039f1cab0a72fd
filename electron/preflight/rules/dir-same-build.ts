import { globalRule, miss, need, ok, na } from '../rule.ts';
import { sameMajorVersion } from '../../../shared/topology.ts';

export default globalRule({
  id: 'dir-same-build', title: 'Source and targets run the same Exchange build', category: 'directory', platform: 'directory', severity: 'warning',
  rationale: 'A target on an older update may refuse or upgrade the databases of the source at failover.',
  resolution: 'Install the same cumulative update on every server.',
}, (f) => {
  if (!f.directory) return na('No directory was given.');
  const t = need(f.directory.topology, 'the Exchange organisation');
  const server = (name: string) => t.servers.find((s) => s.name.toLowerCase() === name.toLowerCase());
  const s = server(f.source.name);
  if (!s) return na('The source is not in the organisation.');
  return f.targets.map((x) => {
    const d = server(x.name);
    if (!d || !sameMajorVersion(s.version, d.version)) return { ...na('Not the same major version (see dir-same-version).'), host: x.name };
    const evidence = [{ label: s.name, value: s.version.text, source: 'serialNumber' }, { label: d.name, value: d.version.text, source: 'serialNumber' }];
    return { ...(s.version.build === d.version.build && s.version.revision === d.version.revision ? ok('Same build.', evidence) : miss(`${d.name} is on build ${d.version.build}.${d.version.revision}, ${s.name} on ${s.version.build}.${s.version.revision}.`, evidence)), host: x.name };
  });
});
