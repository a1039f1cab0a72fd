/**
 * The job's alert receivers made whole for the agents: the job names them without secrets;
 * the secrets given when provisioning (and the CA file's text) are added here, for the agents'
 * 0600 configuration only. A receiver that needs a secret not given is refused in one sentence.
 */
import { readFileSync } from 'node:fs';
import type { Job } from '../../shared/job.ts';
import type { AlertReceiver, AlertSecrets } from '../../shared/alerts.ts';
import { UserError } from '../../shared/errors.ts';

export function alertReceivers(job: Job, secrets: AlertSecrets = {}): AlertReceiver[] {
  const need = (v: string | undefined, what: string, i: number): string => {
    if (!v) throw new UserError('bad-input', `alerts[${i}] needs ${what}; give it with the alert secrets (it is never kept in the job).`, { field: `alerts.${i}` });
    return v;
  };
  return job.alerts.map((r, i): AlertReceiver => {
    switch (r.kind) {
      case 'smtp': {
        let caPem: string | undefined;
        if (r.caFile) {
          try {
            caPem = readFileSync(r.caFile, 'utf8');
          } catch {
            throw new UserError('bad-input', `alerts[${i}].caFile ${r.caFile} cannot be read; check the path.`, { field: `alerts.${i}.caFile` });
          }
        }
        return { kind: 'smtp', host: r.host, port: r.port, from: r.from, to: r.to, ...(r.username ? { username: r.username, password: need(secrets.smtpPassword, 'the SMTP password', i) } : {}), ...(caPem ? { caPem } : {}) };
      }
      case 'snmp-v2c': return { kind: 'snmp-v2c', host: r.host, port: r.port, community: secrets.snmpCommunity ?? 'public' };
      case 'snmp-v3': return { kind: 'snmp-v3', host: r.host, port: r.port, user: r.user, engineId: r.engineId, authKey: need(secrets.snmpAuthKey, 'the SNMPv3 authentication key', i), privKey: need(secrets.snmpPrivKey, 'the SNMPv3 privacy key', i) };
      case 'syslog': return { kind: 'syslog', host: r.host, port: r.port, transport: r.transport };
    }
  });
}
