import { hostRule, miss, need, ok } from '../rule.ts';

export default hostRule({
  id: 'witness-admin-rights', title: 'The witness can run the monitor\'s helper', category: 'witness', platform: 'linux', severity: 'warning',
  rationale: 'The monitor installs a small helper on the witness; it needs a writable /opt.',
  resolution: 'Sign in as root on the witness, or make /opt/failguard writable for the account.',
}, ['witness'], (h) => {
  const u = need(h.linux?.user, 'the signed-in user');
  const evidence = [{ label: 'uid', value: String(u.uid), source: 'id -u' }];
  return u.uid === 0 ? ok('Root on the witness.', evidence) : miss(`Signed in to the witness as ${u.name}, not root.`, evidence);
});
