/**
 * The CLI and the encrypted secret store (`--secret-key-file FILE` or FAILGUARD_SECRET_KEY_FILE):
 * what a command is not given, it takes from what was kept for the job; what a successful
 * `protect` used, it keeps. Without a key file nothing is kept and everything is asked.
 */
import type { Job } from '../../shared/job.ts';
import { UserError, plainMessage } from '../../shared/errors.ts';
import { openSecrets } from './serve-command.ts';
import { directoryRequest, type DirectoryCliOptions } from './discover-command.ts';
import type { JobSecrets } from '../jobs/job-secrets.ts';
import { readFile } from 'node:fs/promises';

export interface KeptCliOptions { secretKeyFile?: string; sshSecretFile?: string }

/** A file's first line: the SSH key's passphrase or the SSH password (never on the command line, where `ps` shows it). */
export async function readSshSecretFile(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch((e: unknown) => {
    throw new UserError('bad-input', `The SSH secret file ${file} cannot be read: ${plainMessage(e).replace(/\.$/, '')}; give a file whose first line is the key's passphrase or the SSH password.`, { field: 'sshSecretFile' });
  });
  const first = text.split(/\r?\n/)[0] ?? '';
  if (!first) throw new UserError('bad-input', `The SSH secret file ${file} is empty; its first line must be the key's passphrase or the SSH password.`, { field: 'sshSecretFile' });
  return first;
}

/** The SSH key's passphrase or the SSH password: from the file given, else the one kept for the job, else none. */
export async function sshSecretOf(o: KeptCliOptions, job: Job, secrets: JobSecrets): Promise<{ sshSecret?: string }> {
  const s = o.sshSecretFile ? await readSshSecretFile(o.sshSecretFile) : secrets.sshSecret(job.id);
  return s ? { sshSecret: s } : {};
}

export const secretsFor = (o: KeptCliOptions): Promise<JobSecrets> => openSecrets(o.secretKeyFile);

/** The directory account: from the command line when given there, else the job's directory with its kept password. */
export async function jobDirectory(o: DirectoryCliOptions, job: Job, secrets: JobSecrets) {
  if (o.dc || o.domain) return directoryRequest(o);
  const kept = secrets.jobDirectory(job);
  if (!kept) {
    throw new UserError('bad-input', secrets.kept
      ? 'No directory account is kept for this job on this computer; give --dc or --domain, --user and --password-stdin.'
      : 'Give the directory account: --dc or --domain, --user and --password-stdin (or --secret-key-file, to use the one kept when the job was protected).');
  }
  return kept;
}
