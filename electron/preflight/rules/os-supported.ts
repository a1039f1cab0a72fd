import { hostRule, miss, need, ok } from '../rule.ts';

const SUPPORTED = ['debian', 'ubuntu'];

export default hostRule({
  id: 'os-supported', title: 'The operating system is supported', category: 'os', platform: 'linux', severity: 'error',
  rationale: 'The agent and the fixes are built and tested for Debian and Ubuntu.',
  resolution: 'Use Debian 11 or later, or Ubuntu 20.04 or later, on every mail host.',
}, ['source', 'target', 'witness'], (h) => {
  const os = need(h.linux?.osRelease, '/etc/os-release');
  const id = (os.ID ?? '').toLowerCase();
  const like = (os.ID_LIKE ?? '').toLowerCase().split(' ');
  const evidence = [{ label: 'system', value: os.PRETTY_NAME ?? id, source: 'cat /etc/os-release' }];
  return SUPPORTED.includes(id) || like.some((l) => SUPPORTED.includes(l)) ? ok(`${os.PRETTY_NAME ?? id} is supported.`, evidence) : miss(`${os.PRETTY_NAME ?? id} is not a supported system.`, evidence);
});
