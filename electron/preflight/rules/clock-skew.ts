import { hostRule, miss, need, ok } from '../rule.ts';

const MAX_SKEW_S = 5;

export default hostRule({
  id: 'clock-skew', title: 'The host clock agrees with this computer', category: 'time', platform: 'linux', severity: 'error',
  rationale: 'Kerberos, TLS certificates and the failover monitor\'s timeouts all assume clocks within seconds of each other.',
  resolution: 'Synchronise the host with your time source (chrony or systemd-timesyncd).',
}, ['source', 'target', 'witness'], (h, f) => {
  const clock = need(h.linux?.clockEpoch, 'the clock');
  const skew = clock - f.controllerClock;
  const evidence = [{ label: 'difference', value: `${skew.toFixed(1)} s`, source: 'date -u +%s.%N' }];
  return Math.abs(skew) <= MAX_SKEW_S ? ok(`Clocks agree within ${Math.abs(skew).toFixed(1)} s.`, evidence) : miss(`${h.name}'s clock is ${Math.abs(skew).toFixed(0)} s ${skew > 0 ? 'ahead' : 'behind'}.`, evidence);
});
