import { hostRule, miss, need, ok, plan } from '../rule.ts';
import { shellCommand } from '../../../shared/quote.ts';

const MAX = 600;

export default hostRule({
  id: 'tcp-keepalive', title: 'Dead connections are noticed within minutes', category: 'network', platform: 'linux', severity: 'warning',
  rationale: 'With the default two hours, a replication link broken by a firewall looks alive for far too long.',
  resolution: `sysctl -w net.ipv4.tcp_keepalive_time=${MAX} (and in /etc/sysctl.d).`,
}, ['source', 'target'], (h) => {
  const v = Number(need(h.linux?.sysctl, 'kernel settings')['net.ipv4.tcp_keepalive_time']);
  const evidence = [{ label: 'net.ipv4.tcp_keepalive_time', value: `${v} s`, source: 'sysctl -n net.ipv4.tcp_keepalive_time' }];
  return v <= MAX ? ok(`${v} s.`, evidence) : miss(`${h.name} waits ${v} s before probing an idle connection.`, evidence);
}, {
  kind: 'safe',
  plan: (f, x) => {
    const h = [f.source, ...f.targets].find((y) => y.name === x.host);
    const old = h?.linux?.sysctl.ok ? h.linux.sysctl.value['net.ipv4.tcp_keepalive_time'] : undefined;
    return plan('tcp-keepalive', 'safe', `Probe idle connections after ${MAX} s on ${x.host}`, [{ kind: 'command', host: x.host!, description: `set net.ipv4.tcp_keepalive_time to ${MAX}`, command: `sysctl -w net.ipv4.tcp_keepalive_time=${MAX}`, undo: old ? shellCommand(['sysctl', '-w', `net.ipv4.tcp_keepalive_time=${old}`]) : undefined }], x.host);
  },
});
