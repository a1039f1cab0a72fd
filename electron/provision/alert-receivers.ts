/**
 * The job's alert receivers for the agents: the configuration names them without secrets (and
 * with the CA file's text); the secrets given when provisioning go to each host in a file of
 * their own, written from memory (`secret-file` steps), so no file on this computer holds them.
 * A receiver that needs a secret not given is refused in one sentence.
 */
import { readFileSync } from 'node:fs';
import type { Job } from '../../shared/job.ts';
import type { AlertSecrets, ConfiguredReceiver } from '../../shared/alerts.ts';
import { UserError } from '../../shared/errors.ts';

/** The secrets file's content for the job's receivers (only what they use), or null when none needs one. */
export function alertSecretsContent(job: Job, secrets: AlertSecrets = {}): string | null {
  const used: AlertSecrets = {};
  for (const r of job.alerts) {
    if (r.kind === 'smtp' && r.username && secrets.smtpPassword) used.smtpPassword = secrets.smtpPassword;
    if (r.kind === 'snmp-v2c' && secrets.snmpCommunity) used.snmpCommunity = secrets.snmpCommunity;
    if (r.kind === 'snmp-v3') Object.assign(used, { ...(secrets.snmpAuthKey ? { snmpAuthKey: secrets.snmpAuthKey } : {}), ...(secrets.snmpPrivKey ? { snmpPrivKey: secrets.snmpPrivKey } : {}) });
  }
  return Object.keys(used).length ? `${JSON.stringify(used)}\n` : null;
}

export function alertReceivers(job: Job, secrets: AlertSecrets = {}): ConfiguredReceiver[] {
  const need = (v: string | undefined, what: string, i: number): string => {
    if (!v) throw new UserError('bad-input', `alerts[${i}] needs ${what}; give it with the alert secrets (it is never kept in the job).`, { field: `alerts.${i}` });
    return v;
  };
  return job.alerts.map((r, i): ConfiguredReceiver => {
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
        if (r.username) need(secrets.smtpPassword, 'the SMTP password', i);
        return { kind: 'smtp', host: r.host, port: r.port, from: r.from, to: r.to, ...(r.username ? { username: r.username } : {}), ...(caPem ? { caPem } : {}) };
      }
      case 'snmp-v2c': return { kind: 'snmp-v2c', host: r.host, port: r.port };
      case 'snmp-v3':
        need(secrets.snmpAuthKey, 'the SNMPv3 authentication key', i);
        need(secrets.snmpPrivKey, 'the SNMPv3 privacy key', i);
        return { kind: 'snmp-v3', host: r.host, port: r.port, user: r.user, engineId: r.engineId };
      case 'syslog': return { kind: 'syslog', host: r.host, port: r.port, transport: r.transport };
    }
  });
}
