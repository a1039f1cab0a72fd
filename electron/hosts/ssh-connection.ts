/**
 * One SSH connection to a server, over which many commands run. The host key is checked
 * before authentication: an unknown key stops with its fingerprint (the UI asks), a
 * changed key stops everything, as OpenSSH does. Every failure is one plain sentence.
 */
import { Client, type ConnectConfig } from 'ssh2';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { HostKeyPin, HostTarget } from '../../shared/hosts.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';

export interface ExecResult { code: number; stdout: string; stderr: string; ms: number }

export interface ExecOptions { timeoutMs?: number; signal?: AbortSignal; stdin?: string }

export interface SshHost {
  target: HostTarget;
  /** The key the server presented, as pinned or to pin. */
  hostKey: HostKeyPin;
  exec(command: string, o?: ExecOptions): Promise<ExecResult>;
  /** Copies a local file to the host over SFTP (the caller renames it into place and checks its hash). */
  upload(localFile: string, remotePath: string, mode: number): Promise<void>;
  close(): void;
}

export const sshFingerprint = (key: Buffer) => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

/** The key type named inside an SSH public key blob (its first string). */
function keyAlgorithm(key: Buffer): string {
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

export interface ConnectOptions {
  /** Pins from the job; a host not in it is "unknown" unless `acceptUnknown` is set. */
  pins: readonly HostKeyPin[];
  /** The user saw the fingerprint and accepted it (trust on first use). */
  acceptUnknown?: string[];
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function connectHost(target: HostTarget, o: ConnectOptions): Promise<SshHost> {
  const cfg: ConnectConfig = { host: target.address, port: target.port, username: target.user, readyTimeout: o.timeoutMs ?? 10_000, keepaliveInterval: 15_000 };
  if (target.auth.kind === 'key') {
    try {
      cfg.privateKey = await readFile(target.auth.keyFile);
    } catch {
      throw new UserError('host-auth-failed', `The key file ${target.auth.keyFile} for ${target.name} cannot be read; check the path.`, { field: 'keyFile' });
    }
    if (target.auth.passphrase) cfg.passphrase = target.auth.passphrase;
  } else if (target.auth.kind === 'agent') {
    cfg.agent = target.auth.socket ?? process.env.SSH_AUTH_SOCK;
    if (!cfg.agent) throw new UserError('host-auth-failed', 'No SSH agent is running here (SSH_AUTH_SOCK is not set); start one or use a key file.', { field: 'auth' });
  } else {
    cfg.password = target.auth.password;
  }
  let seen: HostKeyPin | null = null;
  let keyProblem: UserError | null = null;
  cfg.hostVerifier = (key: Buffer) => {
    seen = { host: target.address, port: target.port, algorithm: keyAlgorithm(key), fingerprint: sshFingerprint(key) };
    const pinned = o.pins.find((p) => p.host === target.address && p.port === target.port);
    if (pinned) {
      if (pinned.fingerprint === seen.fingerprint) return true;
      keyProblem = new UserError('host-key-changed', `WARNING: the host key of ${target.name} has changed (pinned ${pinned.fingerprint}, now ${seen.fingerprint}). Someone may be intercepting the connection, or the server was reinstalled; nothing was sent. Check with the server's administrator before you trust the new key.`, { details: { pinned, presented: seen } });
      return false;
    }
    if (o.acceptUnknown?.includes(seen.fingerprint)) return true;
    keyProblem = new UserError('host-key-unknown', `${target.name} is not known yet; its host key fingerprint is ${seen.fingerprint}. Compare it with the server's and trust it to go on.`, { details: seen });
    return false;
  };
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    const abort = () => { client.end(); reject(new UserError('host-cancelled', `Connecting to ${target.name} was cancelled.`)); };
    o.signal?.addEventListener('abort', abort, { once: true });
    // Nagle's algorithm off: with it, every small SSH packet waited for the peer's delayed ACK, and each command took ~90 ms
    // on a quiet link instead of ~3 ms (a protect runs ~150 of them; a large file copy is unaffected).
    client.once('connect', () => client.setNoDelay(true));
    client.once('ready', () => { o.signal?.removeEventListener('abort', abort); resolve(); });
    client.once('error', (e: Error & { code?: string; level?: string }) => {
      o.signal?.removeEventListener('abort', abort);
      reject(keyProblem ?? explainSshError(e, target));
    });
    client.connect(cfg);
  });
  const hostKey = seen!;
  return {
    target,
    hostKey,
    exec: (command, eo = {}) => execOn(client, target, command, eo),
    upload: (localFile, remotePath, mode) => new Promise<void>((resolve, reject) => {
      client.sftp((err, sftp) => {
        if (err) return reject(new UserError('host-error', `${target.name} offers no SFTP (${plainMessage(err).replace(/\.$/, '')}); enable the sftp subsystem of sshd.`));
        sftp.fastPut(localFile, remotePath, { mode }, (e) => {
          sftp.end();
          if (e) reject(new UserError('host-error', `Copying a file to ${target.name} failed: ${plainMessage(e).replace(/\.$/, '')}`));
          else resolve();
        });
      });
    }),
    close: () => client.end(),
  };
}

export function explainSshError(e: Error & { code?: string; level?: string }, t: HostTarget): UserError {
  const where = `${t.name} (${t.address}:${t.port})`;
  if (e.level === 'client-authentication') return new UserError('host-auth-failed', `${where} refused the sign-in as ${t.user}; check the user and the ${t.auth.kind === 'password' ? 'password' : 'key'}.`, { field: 'auth' });
  if (e.code === 'ECONNREFUSED') return new UserError('host-refused', `Nothing answers on ${where}; check that sshd runs and the port is open.`);
  if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') return new UserError('host-unreachable', `${where} cannot be reached from here; check the network path.`);
  if (e.code === 'ENOTFOUND') return new UserError('host-unreachable', `The name ${t.address} does not resolve; check it.`);
  if (e.code === 'ETIMEDOUT' || /timed out/i.test(e.message)) return new UserError('host-timeout', `${where} did not answer in time; check that it is up and that no firewall drops SSH.`);
  return new UserError('host-error', `SSH to ${where} failed: ${plainMessage(e).replace(/\.$/, '')}.`);
}

function execOn(client: Client, t: HostTarget, command: string, o: ExecOptions): Promise<ExecResult> {
  const started = performance.now();
  if (o.signal?.aborted) return Promise.reject(new UserError('host-cancelled', `The work on ${t.name} was cancelled.`));
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(new UserError('host-error', `Could not run a command on ${t.name}: ${plainMessage(err).replace(/\.$/, '')}.`));
      let stdout = '';
      let stderr = '';
      let done = false;
      const finish = (fn: () => void) => { if (!done) { done = true; clearTimeout(timer); o.signal?.removeEventListener('abort', abort); fn(); } };
      const timer = setTimeout(() => finish(() => { stream.close(); reject(new UserError('host-command-timeout', `A command on ${t.name} took longer than ${Math.round((o.timeoutMs ?? 60_000) / 1000)} s and was stopped.`)); }), o.timeoutMs ?? 60_000);
      const abort = () => finish(() => { stream.close(); reject(new UserError('host-cancelled', `The work on ${t.name} was cancelled.`)); });
      o.signal?.addEventListener('abort', abort, { once: true });
      stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      stream.on('close', (code: number | null) => finish(() => resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - started })));
      if (o.stdin !== undefined) stream.end(o.stdin);
      else stream.end();
    });
  });
}
