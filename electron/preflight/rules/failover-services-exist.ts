import { hostRule, miss, na, need, ok } from '../rule.ts';

export default hostRule({
  id: 'failover-services-exist', title: 'The services chosen for failover exist on the source and every target', category: 'services', platform: 'linux', severity: 'error',
  rationale: 'The agents stop these services on the source and start them on the target that takes over; a service missing on either leaves mail unserved after a failover (or running where it must not).',
  resolution: 'Install the service on every mail server (the same package as on the source), or remove it from the failover services in step 3; without systemd, give its start, stop and check commands.',
}, ['source', 'target'], (h, f) => {
  const services = f.choices?.services ?? [];
  if (!services.length) return na('No service was chosen for failover.');
  if (!h.choices) return na(`${h.name} was not probed for step 3's choices.`);
  const found = services.map((s) => ({ s, v: need(h.choices!.services[s], `the service ${s}`), command: h.choices!.services[s]!.command }));
  const missing = found.filter((x) => x.v === 'missing').map((x) => x.s);
  const evidence = found.map(({ s, v, command }) => ({ label: s, value: v === 'unit' ? 'a systemd unit' : v === 'command' ? 'a command the agent starts' : 'missing', source: command }));
  return missing.length ? miss(`${h.name} has no ${missing.join(', ')}, so the agent could not ${h.role === 'source' ? 'stop' : 'start'} ${missing.length > 1 ? 'them' : 'it'}.`, evidence) : ok(`Every chosen service exists on ${h.name}.`, evidence);
});
