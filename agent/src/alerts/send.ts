/**
 * Sends one alert to every receiver at once, each with its own deadline, and never throws:
 * a receiver that is down is reported, and never holds up what raised the alert (a
 * failover goes on). SMTP with STARTTLS and authentication (nodemailer), SNMP traps v2c and
 * v3 (net-snmp), syslog in RFC 5424 over UDP or TCP.
 */
import { receiverName, type AlertDelivery, type AlertEvent, type AlertReceiver } from '../../../shared/alerts.ts';
import { plainMessage } from '../../../shared/errors.ts';
import { sendMailAlert } from './smtp.ts';
import { sendTrap } from './snmp.ts';
import { sendSyslog } from './syslog.ts';

const DEADLINE_MS = 10_000;

function sendOne(r: AlertReceiver, e: AlertEvent, signal: AbortSignal): Promise<void> {
  switch (r.kind) {
    case 'smtp': return sendMailAlert(r, e, signal);
    case 'snmp-v2c':
    case 'snmp-v3': return sendTrap(r, e, signal);
    case 'syslog': return sendSyslog(r, e, signal);
  }
}

export async function sendAlert(receivers: readonly AlertReceiver[], e: AlertEvent, deadlineMs = DEADLINE_MS): Promise<AlertDelivery[]> {
  return Promise.all(receivers.map(async (r): Promise<AlertDelivery> => {
    const started = performance.now();
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), deadlineMs);
    try {
      await Promise.race([sendOne(r, e, ac.signal), new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(new Error(`no answer within ${deadlineMs / 1000} s`))))]);
      return { receiver: receiverName(r), ok: true, ms: performance.now() - started };
    } catch (err) {
      return { receiver: receiverName(r), ok: false, error: plainMessage(err), ms: performance.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }));
}
