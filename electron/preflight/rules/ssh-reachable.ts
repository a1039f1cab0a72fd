import { hostRule, miss, ok } from '../rule.ts';

/** Reaching every host over SSH comes first: without it nothing else can be checked or fixed. */
export default hostRule({
  id: 'ssh-reachable', title: 'The host answers over SSH', category: 'connectivity', platform: 'any', severity: 'error',
  rationale: 'Failguard checks, fixes and provisions every host over SSH.',
  resolution: 'Start sshd on the host, open port 22 between this computer and the host, and check the address.',
}, ['source', 'target', 'witness'], (h) => h.reach.ok
  ? ok(`${h.name} answered over SSH.`, [{ label: 'host key', value: h.reach.hostKey }])
  : miss(h.reach.error, [{ label: 'connection', value: h.reach.code }]));
