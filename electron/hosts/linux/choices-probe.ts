/**
 * What step 3's choices need of a mail host, probed on it in one script: each chosen service
 * (a systemd unit, or a command the agent knows how to start without systemd), and each alert
 * receiver as the agent on this host would reach it (TCP: connected, with the first line the
 * receiver sent; UDP: whether a route leads there, as nothing answers a UDP datagram).
 */
import { isTcpReceiver, type JobAlert } from '../../../shared/failover-options.ts';
import type { Probed } from '../../../shared/probe.ts';
import type { HostChoiceFacts } from '../../preflight/facts.ts';
import { shq } from '../shell.ts';

/** The commands the agent runs a service by where there is no systemd (agent/src/monitor/services.ts). */
const AGENT_COMMANDS: Record<string, string> = { postfix: 'postfix', dovecot: 'dovecot' };

// "connected" is printed once the TCP connection is up, so a receiver that says nothing (syslog) is still open.
const TCP_BANNER = [
  'banner() {',
  '  out=$(timeout 5 bash -c \'exec 3<>"/dev/tcp/$0/$1" && echo connected && if [ "$2" = read ]; then head -n 1 <&3; fi\' "$1" "$2" "$3" 2>&1)',
  '  if printf %s "$out" | grep -q "^connected"; then printf "open\\t%s" "$(printf %s "$out" | sed -n 2p | tr -d "\\r\\t" | head -c 200)";',
  '  elif printf %s "$out" | grep -qi refused; then printf "refused\\t"; else printf "filtered\\t"; fi',
  '}',
].join('\n');
const ROUTE = `route() { if ip route get "$1" >/dev/null 2>&1; then printf 'route\\t'; else printf 'no-route\\t'; fi; }`;


export function choicesProbeScript(services: readonly string[], alerts: readonly JobAlert[]): string {
  const lines = [
    'systemd=no; [ -d /run/systemd/system ] && systemd=yes',
    ...services.map((s) => `if [ $systemd = yes ] && systemctl cat ${shq(`${s}.service`)} >/dev/null 2>&1; then v=unit; ` +
      `elif [ $systemd = no ] && ${Object.hasOwn(AGENT_COMMANDS, s) ? `command -v ${AGENT_COMMANDS[s]} >/dev/null 2>&1` : 'false'}; then v=command; else v=missing; fi; printf 'SVC\\t%s\\t%s\\n' ${shq(s)} "$v"`),
    ...alerts.map((r, i) => (isTcpReceiver(r)
      ? `printf 'RCV\\t${i}\\t%s\\n' "$(banner ${shq(r.host)} ${r.port} ${r.kind === 'smtp' ? 'read' : 'no'})"`
      : `printf 'RCV\\t${i}\\t%s\\n' "$(route ${shq(r.host)})"`)),
  ];
  return [TCP_BANNER, ROUTE, ...lines].join('\n') + '\n';
}

export function parseChoicesProbe(stdout: string, services: readonly string[], alerts: readonly JobAlert[]): HostChoiceFacts {
  const rows = stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const svc = Object.fromEntries(services.map((s): [string, Probed<'unit' | 'command' | 'missing'>] => {
    const v = rows.find((r) => r[0] === 'SVC' && r[1] === s)?.[2];
    const command = `systemctl cat ${s}.service, or command -v`;
    return [s, v === 'unit' || v === 'command' || v === 'missing' ? { ok: true, value: v, command, raw: v } : { ok: false, error: `unexpected output "${v ?? ''}"`, command, raw: v ?? '' }];
  }));
  const receivers = alerts.map((r, i): HostChoiceFacts['receivers'][number] => {
    const row = rows.find((x) => x[0] === 'RCV' && x[1] === String(i));
    const state = row?.[2];
    const command = isTcpReceiver(r) ? `TCP connect to ${r.host}:${r.port}` : `ip route get ${r.host}`;
    if (state !== 'open' && state !== 'refused' && state !== 'filtered' && state !== 'route' && state !== 'no-route') return { ok: false, error: `unexpected output "${row?.slice(2).join(' ') ?? ''}"`, command, raw: row?.join('\t') ?? '' };
    return { ok: true, value: { state, banner: row?.[3] ?? '' }, command, raw: row!.join('\t') };
  });
  return { services: svc, receivers };
}
