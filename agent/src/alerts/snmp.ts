/**
 * An alert as an SNMP trap, v2c or v3 (authPriv: SHA and AES). The OIDs sit under
 * NET-SNMP-MIB's experimental arc (netSnmpPlaypen) until Failguard has its own enterprise
 * number: trap `…9999.1`, and the job, event, host, time, severity and message as `…9999.2.1–6`.
 */
import snmp from 'net-snmp';
import type { AlertEvent, AlertReceiver } from '../../../shared/alerts.ts';

export const TRAP_OID = '1.3.6.1.4.1.8072.9999.9999.1';
export const FIELD_OID = '1.3.6.1.4.1.8072.9999.9999.2';
export const FIELDS = ['job', 'event', 'host', 'at', 'severity', 'message'] as const;

export function sendTrap(r: Extract<AlertReceiver, { kind: 'snmp-v2c' | 'snmp-v3' }>, e: AlertEvent, signal: AbortSignal): Promise<void> {
  const session = r.kind === 'snmp-v2c'
    ? snmp.createSession(r.host, r.community, { version: snmp.Version2c, trapPort: r.port })
    : snmp.createV3Session(r.host, {
      name: r.user, level: snmp.SecurityLevel.authPriv,
      authProtocol: snmp.AuthProtocols.sha, authKey: r.authKey, privProtocol: snmp.PrivProtocols.aes, privKey: r.privKey,
    }, { version: snmp.Version3, trapPort: r.port, engineID: r.engineId });
  const varbinds = FIELDS.map((f, i) => ({ oid: `${FIELD_OID}.${i + 1}`, type: snmp.ObjectType.OctetString, value: String(e[f]) }));
  return new Promise<void>((resolve, reject) => {
    const done = (err: Error | null) => { session.close(); if (err) reject(err); else resolve(); };
    signal.addEventListener('abort', () => done(new Error('cancelled')));
    session.trap(TRAP_OID, varbinds, done);
  });
}
