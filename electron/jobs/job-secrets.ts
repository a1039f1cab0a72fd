/**
 * The secrets of saved jobs, by job: the directory password, the SSH key's passphrase or the
 * SSH password, the alert receivers' secrets and the TSIG secrets, kept in the encrypted store once a job is protected, so the
 * dashboard's failover and a reopened job need not ask again. The UI never gets a value
 * back: a request names the job whose saved password to use (`credentials.savedFor`), and
 * the back end fills it in here, at the boundary.
 */
import type { AlertSecrets } from '../../shared/alerts.ts';
import type { DirectoryCredentials, DirectoryTarget, DirectoryTrust } from '../../shared/directory.ts';
import type { Job } from '../../shared/job.ts';
import type { HostTarget } from '../../shared/hosts.ts';
import { UserError } from '../../shared/errors.ts';
import type { SecretStore } from './secret-store.ts';
import { jobKeysIn, NO_KEYCHAIN, type JobKeys } from './job-keys.ts';

const name = (jobId: string, what: string) => `job/${jobId}/${what}`;

/** A directory as the kept password is bound to it: the domain or the DC's URL, in lower case. */
const targetKey = (t: DirectoryTarget) => (t.kind === 'domain' ? `domain:${t.domain.toLowerCase()}` : `url:${t.url.toLowerCase().replace(/\/$/, '')}`);
const hostKey = (address: string, port: number) => `${address}:${port}`;

export interface KeptSecrets { directory: boolean; ssh: boolean; alerts: boolean; tsigKeys: string[] }

export class JobSecrets {
  readonly #store: SecretStore | null;
  /** With no store, the SSH secret still lasts this session (in memory only): the dashboard reads the agents with it every few seconds. */
  readonly #sessionSsh = new Map<string, string>();
  readonly #sessionHosts = new Map<string, string>();
  /** In words: where secrets are kept, or why they are not. */
  readonly how: string;

  constructor(store: SecretStore | null, how?: string) {
    this.#store = store;
    this.how = how ?? (store ? `kept encrypted, the key in ${store.keptBy}` : 'not kept: they are asked each time');
  }

  get kept(): boolean {
    return this.#store !== null;
  }

  /** The job's private keys (job-keys.ts); refused in one sentence when no store is open. */
  keys(jobId: string): JobKeys {
    return jobKeysIn(this.#store, jobId, this.how.includes('keychain') ? NO_KEYCHAIN : undefined);
  }

  /**
   * Credentials with the saved password filled in when the request asks for it (and only then),
   * and only for the directory the job was protected with: a request that names another DC or
   * domain never gets the job's password sent to it.
   */
  credentials<C extends DirectoryCredentials>(c: C, target: DirectoryTarget): C {
    // The marker goes once resolved: what is used (and sealed for an automatic failover) is the account alone.
    const { savedFor, ...plain } = c;
    if (!savedFor || c.password) return plain as C;
    const saved = this.#store?.get(name(savedFor, 'directory-password')) ?? null;
    if (saved === null) throw new UserError('no-saved-secret', 'No password is kept for this job\'s directory account on this computer; type it in step 1.', { field: 'password' });
    const keptFor = this.#store?.get(name(savedFor, 'directory-target')) ?? null;
    if (keptFor === null || keptFor !== targetKey(target)) throw new UserError('no-saved-secret', `The password kept for this job is only for its own directory${keptFor ? ` (${keptFor.slice(keptFor.indexOf(':') + 1)})` : ''}; type the password for ${targetKey(target).slice(targetKey(target).indexOf(':') + 1)} in step 1.`, { field: 'password' });
    return { ...plain, password: saved } as C;
  }

  directory<D extends { target: DirectoryTarget; credentials: DirectoryCredentials } | undefined>(d: D): D {
    return (d ? { ...d, credentials: this.credentials(d.credentials, d.target) } : d) as D;
  }

  /** The job's own directory (as saved with it) signed in with its kept password; undefined when either is missing. */
  jobDirectory(job: Job): { target: DirectoryTarget; credentials: DirectoryCredentials; trust: DirectoryTrust } | undefined {
    const d = job.directory;
    if (!d || !this.keptFor(job.id).directory) return undefined;
    return this.directory({ target: d.target, credentials: { username: d.username, password: '', savedFor: job.id }, trust: { ...(d.caPem ? { caPem: d.caPem } : {}), pinned: d.pinned } });
  }

  /** A pre-flight request with the job's kept passphrase or password filled in where a host brings none (the marker goes). */
  hosts<R extends { source: HostTarget; targets: HostTarget[]; witness?: HostTarget; sshSecretFor?: string }>(r: R): Omit<R, 'sshSecretFor'> {
    const { sshSecretFor, ...plain } = r;
    if (!sshSecretFor) return plain;
    const kept = this.sshSecret(sshSecretFor);
    // Only for the job's own servers (as protected): a request that names another host never gets the job's secret.
    const own = new Set(JSON.parse(this.#store?.get(name(sshSecretFor, 'hosts')) ?? this.#sessionHosts.get(sshSecretFor) ?? '[]') as string[]);
    const fill = (h: HostTarget): HostTarget => {
      const ours = own.has(hostKey(h.address, h.port));
      if (h.auth.kind === 'key' && !h.auth.passphrase && kept && ours) return { ...h, auth: { ...h.auth, passphrase: kept } };
      if (h.auth.kind !== 'password' || h.auth.password) return h;
      if (!kept) throw new UserError('no-saved-secret', 'No SSH password is kept for this job on this computer; type it in step 2.', { field: 'sshSecret' });
      if (!ours) throw new UserError('no-saved-secret', `The SSH password kept for this job is only for its own servers, not ${h.address}:${h.port}; type the password for it in step 2.`, { field: 'sshSecret' });
      return { ...h, auth: { kind: 'password', password: kept } };
    };
    return { ...plain, source: fill(r.source), targets: r.targets.map(fill), ...(r.witness ? { witness: fill(r.witness) } : {}) };
  }

  /** The SSH key's passphrase or the SSH password the job's hosts were last reached with. */
  sshSecret(jobId: string): string | undefined {
    return this.#store?.get(name(jobId, 'ssh')) ?? this.#sessionSsh.get(jobId);
  }

  alertSecrets(jobId: string): AlertSecrets | undefined {
    const t = this.#store?.get(name(jobId, 'alerts'));
    return t ? (JSON.parse(t) as AlertSecrets) : undefined;
  }

  tsigSecrets(jobId: string): Record<string, string> | undefined {
    const keys = this.#store?.names(name(jobId, 'tsig/')) ?? [];
    return keys.length ? Object.fromEntries(keys.map((k) => [k.slice(name(jobId, 'tsig/').length), this.#store!.get(k)!])) : undefined;
  }

  /** What is kept for a job: names only. */
  keptFor(jobId: string): KeptSecrets {
    const names = this.#store?.names(name(jobId, '')) ?? [];
    return { directory: names.includes(name(jobId, 'directory-password')), ssh: names.includes(name(jobId, 'ssh')), alerts: names.includes(name(jobId, 'alerts')), tsigKeys: names.filter((n) => n.startsWith(name(jobId, 'tsig/'))).map((n) => n.slice(name(jobId, 'tsig/').length)) };
  }

  /** Keeps what a successful protection used (the provisioning options' secrets); nothing when no store is open. */
  async keep(job: Job, s: { directory?: { target: DirectoryTarget; credentials: DirectoryCredentials }; sshSecret?: string; alertSecrets?: AlertSecrets; tsigSecrets?: Record<string, string> }): Promise<void> {
    const jobId = job.id;
    // Which servers and which directory the secrets are for: they are filled in for those only.
    const hosts = JSON.stringify([job.source, ...job.targets, ...(job.witness ? [job.witness] : [])].map((h) => hostKey(h.address, h.sshPort)));
    this.#sessionHosts.set(jobId, hosts);
    if (s.sshSecret) this.#sessionSsh.set(jobId, s.sshSecret);
    else this.#sessionSsh.delete(jobId);
    if (!this.#store) return;
    const password = s.directory?.credentials.password;
    await this.#store.set({
      ...(password ? { [name(jobId, 'directory-password')]: password, [name(jobId, 'directory-target')]: targetKey(s.directory!.target) } : {}),
      [name(jobId, 'hosts')]: hosts,
      // A job that now signs in without one leaves no old passphrase or password behind.
      [name(jobId, 'ssh')]: s.sshSecret || null,
      ...(s.alertSecrets && Object.keys(s.alertSecrets).length ? { [name(jobId, 'alerts')]: JSON.stringify(s.alertSecrets) } : {}),
      ...Object.fromEntries(Object.entries(s.tsigSecrets ?? {}).map(([k, v]) => [name(jobId, `tsig/${k}`), v])),
    });
  }
}
