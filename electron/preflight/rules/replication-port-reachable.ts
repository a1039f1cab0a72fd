import { globalRule, miss, need, ok, na, perTarget } from '../rule.ts';

export default globalRule({
  id: 'replication-port-reachable', title: 'Each target can reach the source\'s replication port', category: 'network', platform: 'network', severity: 'error',
  rationale: 'Replicas travel from the source to each target over one TCP port; a firewall that drops it stops protection silently.',
  resolution: 'Allow TCP to the replication port between source and targets in every firewall on the path.',
}, (f) => perTarget(f, (t) => {
  const p = t.paths.find((x) => x.peer === f.source.name);
  if (!p) return { ...na(`${t.name} was not probed.`), host: t.name };
  const state = need(p.replicationPort, 'the replication port');
  const evidence = [{ label: `${t.name} → ${f.source.name}:${f.replicationPort}`, value: state, source: p.replicationPort.command }];
  // Refused is good news before provisioning: the packet got there and nothing listens yet.
  return { ...(state !== 'filtered' ? ok(`The path is open (${state}).`, evidence) : miss(`Packets from ${t.name} to ${f.source.name}:${f.replicationPort} are dropped.`, evidence)), host: t.name };
}));
