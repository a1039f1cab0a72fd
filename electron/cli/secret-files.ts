/** Secrets given to the CLI in files of this computer (never in the job file): alert receivers' and TSIG keys'. */
import { readFile } from 'node:fs/promises';
import { UserError } from '../../shared/errors.ts';
import type { AlertSecrets } from '../../shared/alerts.ts';

/** The alert receivers' secrets: a JSON file of this computer's (smtpPassword, snmpCommunity, snmpAuthKey, snmpPrivKey). */
export async function readAlertSecrets(file: string): Promise<AlertSecrets> {
  let v: unknown;
  try {
    v = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new UserError('bad-input', `${file} is not a readable JSON file of alert secrets; give {"smtpPassword": …, "snmpAuthKey": …, "snmpPrivKey": …}.`);
  }
  const known = ['smtpPassword', 'snmpCommunity', 'snmpAuthKey', 'snmpPrivKey'];
  if (typeof v !== 'object' || v === null || Object.entries(v).some(([k, x]) => !known.includes(k) || typeof x !== 'string')) throw new UserError('bad-input', `${file} may hold only ${known.join(', ')}, each a string.`);
  return v as AlertSecrets;
}

/** TSIG keys' secrets: a JSON file of key name → base64 secret (as in BIND's key statement). */
export async function readTsigSecrets(file: string): Promise<Record<string, string>> {
  let v: unknown;
  try {
    v = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new UserError('bad-input', `${file} is not a readable JSON file of TSIG secrets; give {"key-name": "base64 secret", …}.`, { field: 'dnsSecrets' });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError('bad-input', `${file} must hold one object: {"key-name": "base64 secret", …}.`, { field: 'dnsSecrets' });
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(x) || Buffer.from(x, 'base64').length < 16) {
      throw new UserError('bad-input', `In ${file}, the secret of ${k} is not a base64 key of at least 16 bytes (as in BIND's key statement).`, { field: 'dnsSecrets' });
    }
  }
  return v as Record<string, string>;
}
