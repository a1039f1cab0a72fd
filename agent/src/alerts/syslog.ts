/** An alert to syslog in RFC 5424 (not the old BSD format), over UDP or TCP; MSGID is the event, HOSTNAME the host it concerns. */
import syslog from 'syslog-client';
import type { AlertEvent, AlertReceiver } from '../../../shared/alerts.ts';

const SEVERITY = { info: syslog.Severity.Informational, warning: syslog.Severity.Warning, critical: syslog.Severity.Critical } as const;

export function sendSyslog(r: Extract<AlertReceiver, { kind: 'syslog' }>, e: AlertEvent, signal: AbortSignal): Promise<void> {
  const client = syslog.createClient(r.host, {
    port: r.port, transport: r.transport === 'tcp' ? syslog.Transport.Tcp : syslog.Transport.Udp, rfc3164: false,
    appName: 'failguard', syslogHostname: e.host, facility: syslog.Facility.Local0, tcpTimeout: 8000,
  });
  return new Promise<void>((resolve, reject) => {
    const done = (err: Error | null) => { client.close(); if (err) reject(err); else resolve(); };
    signal.addEventListener('abort', () => done(new Error('cancelled')));
    client.on('error', done);
    client.log(`job="${e.job}" event="${e.event}" ${e.message}`, { severity: SEVERITY[e.severity], timestamp: new Date(e.at), msgid: e.event }, done);
  });
}
