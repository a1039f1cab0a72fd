import { hostRule, miss, na, need, ok } from '../rule.ts';
import { isTcpReceiver } from '../../../shared/failover-options.ts';

export default hostRule({
  id: 'alert-receivers-answer', title: 'The alert receivers answer from the mail servers', category: 'network', platform: 'linux', severity: 'warning',
  rationale: 'Alerts (the source lost, a failover, fencing) are sent by the agents on the mail servers; a receiver they cannot reach hears nothing. A receiver that is down never holds up a failover.',
  resolution: 'Open the path from each mail server to each receiver (SMTP and syslog over TCP must connect; SMTP must greet with 220), or correct the receiver\'s address and port in step 3.',
}, ['source', 'target'], (h, f) => {
  const alerts = f.choices?.alerts ?? [];
  if (!alerts.length) return na('No alert receiver was chosen.');
  if (!h.choices) return na(`${h.name} was not probed for step 3's choices.`);
  const rows = alerts.map((r, i) => ({ r, v: need(h.choices!.receivers[i], `${r.kind} ${r.host}:${r.port}`), command: h.choices!.receivers[i]!.command }));
  const bad = rows.filter(({ r, v }) => (isTcpReceiver(r) ? v.state !== 'open' || (r.kind === 'smtp' && !v.banner.startsWith('220')) : v.state !== 'route'));
  const evidence = rows.map(({ r, v, command }) => ({ label: `${r.kind} ${r.host}:${r.port}${r.kind === 'syslog' ? `/${r.transport}` : ''}`, value: `${v.state}${v.banner ? ` (${v.banner})` : ''}${isTcpReceiver(r) ? '' : ', UDP: not confirmed by the receiver'}`, source: command }));
  return bad.length
    ? miss(`${h.name} cannot reach ${bad.map(({ r }) => `${r.kind} ${r.host}:${r.port}`).join(', ')}, so alerts from it would not arrive there.`, evidence)
    : ok(`${h.name} reaches every alert receiver.`, evidence);
});
