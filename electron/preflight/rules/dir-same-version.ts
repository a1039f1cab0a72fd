import { directoryRule, miss, ok, perTargetServer } from '../rule.ts';
import { sameMajorVersion } from '../../../shared/topology.ts';

export default directoryRule({
  id: 'dir-same-version', title: 'Source and targets run the same Exchange version', category: 'directory', platform: 'directory', severity: 'error',
  rationale: 'Databases of one major version cannot be mounted by another.',
  resolution: 'Install the same major version (and ideally the same update) on the target.',
}, (d, f) => perTargetServer(d, f, (s, t) => {
  const evidence = [{ label: s.name, value: s.version.text, source: 'serialNumber' }, { label: t.name, value: t.version.text, source: 'serialNumber' }];
  return sameMajorVersion(s.version, t.version) ? ok(`Both run ${s.version.product}.`, evidence) : miss(`${t.name} runs ${t.version.product}, ${s.name} runs ${s.version.product}.`, evidence);
}));
