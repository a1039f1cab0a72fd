/**
 * The job's alert receivers for the agents: the configuration names them without secrets (and
 * with the CA file's text); the secrets given when provisioning go to each host in a file of
 * their own, written from memory (`secret-file` steps), so no file on this computer holds them.
 * A receiver that needs a secret not given is refused in one sentence.
 */
import { readFileSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { Job } from '../../shared/job.ts';
import type { AlertSecrets, ConfiguredReceiver } from '../../shared/alerts.ts';
import { UserError } from '../../shared/errors.ts';

/**
 * The CA certificates in an alert receiver's `caFile`, and nothing else of the file: only they
 * are shipped to the hosts, so naming a file that is not a certificate (a key, a password file)
 * is refused and never copies it anywhere.
 */
export function certificatesOf(file: string, i: number): string {
  const field = { field: `alerts.${i}.caFile` };
  let text: string;
  try {
    if (statSync(file).size > 1_000_000) throw new UserError('bad-input', `alerts[${i}].caFile ${file} is larger than a CA certificate file could be; give the CA certificate of the SMTP server (PEM).`, field);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError('bad-input', `alerts[${i}].caFile ${file} cannot be read; check the path.`, field);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g) ?? [];
  const certs = blocks.flatMap((b) => { try { return [new X509Certificate(b).toString().trim()]; } catch { return []; } });
  if (!certs.length) throw new UserError('bad-input', `alerts[${i}].caFile ${file} holds no PEM certificate; give the CA certificate of the SMTP server (text beginning -----BEGIN CERTIFICATE-----).`, field);
  return `${certs.join('\n')}\n`;
}

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
        const caPem = r.caFile ? certificatesOf(r.caFile, i) : undefined;
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
