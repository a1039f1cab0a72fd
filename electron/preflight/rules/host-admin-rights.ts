import { hostRule, miss, need, ok } from '../rule.ts';

export default hostRule({
  id: 'host-admin-rights', title: 'Failguard signs in with administrator rights', category: 'identity', platform: 'linux', severity: 'error',
  rationale: 'Provisioning installs the agent, snapshots volumes and starts and stops mail services: all need root.',
  resolution: 'Sign in as root, or as a user with passwordless sudo for btrfs, postfix and dovecot.',
}, ['source', 'target', 'witness'], (h) => {
  const u = need(h.linux?.user, 'the signed-in user');
  const evidence = [{ label: 'uid', value: `${u.uid} (${u.name})`, source: 'id -u; id -un' }];
  return u.uid === 0 ? ok(`Signed in as ${u.name} (root).`, evidence) : miss(`Signed in as ${u.name}, who is not root.`, evidence);
});
