/**
 * Alerts: what happened (the job, the event, the host, the time) and where to tell it.
 * Receivers are set in step 3; their secrets (SMTP password, SNMPv3 keys) are kept apart
 * from the job (the keychain on this computer, the agent's 0600 configuration on hosts).
 */
export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface AlertEvent {
  job: string;
  /** A stable name: failover-started, source-lost, failover-failed, ... */
  event: string;
  host: string;
  /** ISO 8601 with the offset, as RFC 5424 wants it. */
  at: string;
  severity: AlertSeverity;
  /** One plain sentence. */
  message: string;
}

export type AlertReceiver =
  | { kind: 'smtp'; host: string; port: number; from: string; to: string[]; username?: string; password?: string; caPem?: string }
  | { kind: 'snmp-v2c'; host: string; port: number; community: string }
  | { kind: 'snmp-v3'; host: string; port: number; user: string; authKey: string; privKey: string; engineId: string }
  | { kind: 'syslog'; host: string; port: number; transport: 'udp' | 'tcp' };

/** A receiver as the agent's configuration names it: the same, without its secrets (they are in the host's secrets file). */
export type ConfiguredReceiver =
  | Omit<Extract<AlertReceiver, { kind: 'smtp' }>, 'password'>
  | Omit<Extract<AlertReceiver, { kind: 'snmp-v2c' }>, 'community'>
  | Omit<Extract<AlertReceiver, { kind: 'snmp-v3' }>, 'authKey' | 'privKey'>
  | Extract<AlertReceiver, { kind: 'syslog' }>;

export interface AlertDelivery { receiver: string; ok: boolean; error?: string; ms: number }

/** How a receiver is named in results and logs (never with its secret). */
export function receiverName(r: AlertReceiver): string {
  return `${r.kind} ${r.host}:${r.port}${r.kind === 'syslog' ? `/${r.transport}` : ''}`;
}

/** The one-line subject / trap text of an event. */
export const alertSubject = (e: AlertEvent) => `[Failguard] ${e.job}: ${e.event} on ${e.host}`;

/** The secrets of the job's receivers, given when provisioning (never in the job file). */
export interface AlertSecrets { smtpPassword?: string; snmpCommunity?: string; snmpAuthKey?: string; snmpPrivKey?: string }
