import { hostRule, miss, need, ok, plan } from '../rule.ts';

export default hostRule({
  id: 'time-sync-configured', title: 'The host keeps its clock synchronised', category: 'time', platform: 'linux', severity: 'warning',
  rationale: 'A clock that is right today drifts tomorrow; failover decisions compare times across hosts.',
  resolution: 'Install and enable chrony (apt-get install chrony) pointed at your DCs or time servers.',
}, ['source', 'target', 'witness'], (h) => {
  const t = need(h.linux?.timeSync, 'time synchronisation');
  const evidence = [{ label: 'time service', value: t.source, source: 'chronyc tracking / timedatectl' }];
  if (t.synchronised === true) return ok('The clock is synchronised.', evidence);
  return miss(t.synchronised === null ? `No time synchronisation service runs on ${h.name}.` : `${h.name}'s time service is not synchronised.`, evidence);
}, {
  kind: 'confirm',
  plan: (_f, x) => plan('time-sync-configured', 'confirm', `Install chrony on ${x.host}`, [{ kind: 'command', host: x.host!, description: 'install and start chrony from the configured package sources', command: 'DEBIAN_FRONTEND=noninteractive apt-get install -y chrony', undo: 'apt-get remove -y chrony' }], x.host),
});
