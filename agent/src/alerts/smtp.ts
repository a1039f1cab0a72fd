/** An alert by mail: STARTTLS required and the certificate verified (an added CA, never verification off), then authentication when given. */
import nodemailer from 'nodemailer';
import { alertSubject, type AlertEvent, type AlertReceiver } from '../../../shared/alerts.ts';

export async function sendMailAlert(r: Extract<AlertReceiver, { kind: 'smtp' }>, e: AlertEvent, signal: AbortSignal): Promise<void> {
  const transport = nodemailer.createTransport({
    host: r.host, port: r.port, secure: false, requireTLS: true,
    ...(r.username ? { auth: { user: r.username, pass: r.password ?? '' } } : {}),
    tls: { ...(r.caPem ? { ca: r.caPem } : {}), minVersion: 'TLSv1.2' },
    connectionTimeout: 8000, greetingTimeout: 8000, socketTimeout: 8000,
  });
  signal.addEventListener('abort', () => transport.close());
  try {
    await transport.sendMail({
      from: r.from, to: r.to, subject: alertSubject(e),
      text: `${e.message}\n\nJob: ${e.job}\nEvent: ${e.event}\nHost: ${e.host}\nTime: ${e.at}\nSeverity: ${e.severity}\n`,
      headers: { 'X-Failguard-Job': e.job, 'X-Failguard-Event': e.event, 'X-Failguard-Host': e.host },
    });
  } finally {
    transport.close();
  }
}
