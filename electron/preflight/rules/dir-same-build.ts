import { directoryRule, miss, ok, na, perTargetServer } from '../rule.ts';
import { sameMajorVersion } from '../../../shared/topology.ts';

export default directoryRule({
  id: 'dir-same-build', title: 'Source and targets run the same Exchange build', category: 'directory', platform: 'directory', severity: 'warning',
  rationale: 'A target on an older update may refuse or upgrade the databases of the source at failover.',
  resolution: 'Install the same cumulative update on every server.',
}, (d, f) => perTargetServer(d, f, (s, t) => {
  if (!sameMajorVersion(s.version, t.version)) return na('Not the same major version (see dir-same-version).');
  const evidence = [{ label: s.name, value: s.version.text, source: 'serialNumber' }, { label: t.name, value: t.version.text, source: 'serialNumber' }];
  return s.version.build === t.version.build && s.version.revision === t.version.revision ? ok('Same build.', evidence) : miss(`${t.name} is on build ${t.version.build}.${t.version.revision}, ${s.name} on ${s.version.build}.${s.version.revision}.`, evidence);
}));
