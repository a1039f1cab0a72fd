/**
 * The mail services the agent owns on the source and the target: started in dependency order
 * (Dovecot before Postfix, so nothing is accepted that cannot be delivered), stopped in the
 * reverse, each checked. A host whose agent owns its services does not start them at boot
 * itself; the agent starts them once the witness has said this host may serve.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { UserError } from '../../../shared/errors.ts';
import { shellCommand } from '../../../shared/quote.ts';
import type { Note } from '../../../shared/agent-events.ts';

export interface ServiceSpec { name: string; start: string; stop: string; check: string; kill?: string }

/** Commands for the services Failguard knows, with systemd and without it (the lab). */
export function knownService(name: string, systemd: boolean): ServiceSpec | null {
  if (systemd) return { name, start: shellCommand(['systemctl', 'start', '--', name]), stop: shellCommand(['systemctl', 'stop', '--', name]), check: shellCommand(['systemctl', 'is-active', '--quiet', '--', name]), kill: shellCommand(['systemctl', 'kill', '-s', 'KILL', '--', name]) };
  switch (name) {
    case 'postfix': return { name, start: 'postfix start', stop: 'postfix stop', check: 'postfix status', kill: 'pkill -KILL -f /usr/lib/postfix/sbin/master' };
    case 'dovecot': return { name, start: 'dovecot', stop: 'doveadm stop', check: 'doveadm service status >/dev/null 2>&1 || pidof dovecot >/dev/null', kill: 'pkill -KILL -x dovecot' };
    default: return null;
  }
}

/**
 * Runs a command; its output goes to a temporary file, not a pipe, because a daemon it starts
 * inherits what the command was given and would hold a pipe (and so the caller) open forever.
 */
export function sh(command: string, timeoutMs: number, stdin?: string): Promise<{ code: number; output: string }> {
  // In a folder of this process's own (0700, made by mkdtemp), created exclusively: no other user can have put it there first.
  shDir ??= mkdtempSync(join(tmpdir(), 'failguard-sh-'));
  let file = join(shDir, `${++shCount}.log`);
  let fd: number;
  try {
    fd = openSync(file, 'wx+', 0o600);
  } catch {
    // The folder went (a /tmp cleaned by age while the agent ran for weeks): a new one, so a fence never fails for it.
    shDir = mkdtempSync(join(tmpdir(), 'failguard-sh-'));
    file = join(shDir, `${++shCount}.log`);
    fd = openSync(file, 'wx+', 0o600);
  }
  return new Promise((resolve) => {
    const p = spawn('/bin/sh', ['-c', command], { stdio: [stdin === undefined ? 'ignore' : 'pipe', fd, fd] });
    // Data for the command arrives on its standard input, never inside the command's text.
    if (stdin !== undefined) { p.stdin!.on('error', () => undefined); p.stdin!.end(stdin); }
    const done = (code: number, why?: string) => {
      clearTimeout(timer);
      let output = why ?? '';
      try {
        output ||= readFileSync(file, 'utf8').trim().slice(-500);
        closeSync(fd);
        rmSync(file, { force: true });
      } catch { /* already cleaned */ }
      resolve({ code, output });
    };
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => done(code ?? 128));
    p.on('error', (e) => done(127, e.message));
  });
}
let shCount = 0;
let shDir: string | null = null;

export const running = async (s: ServiceSpec) => (await sh(s.check, 5000)).code === 0;

/** Starts each service not running, in order, and checks it; the first that will not start stops the rest. */
export async function startServices(list: readonly ServiceSpec[], note: Note): Promise<{ ok: boolean; error?: string }> {
  for (const s of list) {
    if (await running(s)) continue;
    const r = await sh(s.start, 30_000);
    if (!(await running(s))) {
      const error = `${s.name} did not start (${r.output.split('\n').at(-1) || `exit ${r.code}`})`;
      note({ kind: 'services', action: 'failed', service: s.name, message: error });
      return { ok: false, error };
    }
    note({ kind: 'services', action: 'started', service: s.name, message: `${s.name} started` });
  }
  return { ok: true };
}

/** The last part of a stop's deadline, kept for killing what did not stop. */
export const KILL_MS = 1000;

/**
 * Whether a service runs, asked within `ms`. Only a plain "no" (an exit code from 1 to 125) is taken
 * as stopped: a check that does not answer in time, is killed, or cannot be run (126, 127) counts as
 * running, since a service that cannot be shown stopped is the one to kill.
 */
async function runningWithin(s: ServiceSpec, ms: number): Promise<boolean> {
  const r = await sh(s.check, Math.max(1, ms));
  return r.code === 0 || r.code >= 126;
}

/**
 * Stops every service, in reverse order, within the deadline: each is asked to stop while more than
 * KILL_MS of it is left (every check bounded by the time left); in the last KILL_MS whatever still
 * runs, or does not say, is killed, all at once. True when none runs.
 */
export async function stopServices(list: readonly ServiceSpec[], deadlineMs: number, note: Note): Promise<boolean> {
  const graceful = performance.now() + Math.max(0, deadlineMs - KILL_MS);
  const left = () => graceful - performance.now();
  // Each asked service, and whether its stop said it was done (exit 0): one cut off by the deadline may still be stopping,
  // and a check cannot always tell (systemd's is-active says 3 for "deactivating", while Postfix's master still takes mail).
  const asked = new Map<string, boolean>();
  for (const s of [...list].reverse()) {
    if (left() <= 0) break;
    if (!(await runningWithin(s, Math.min(left(), 5000)))) continue;
    if (left() <= 0) { asked.set(s.name, false); break; }
    asked.set(s.name, (await sh(s.stop, left())).code === 0);
  }
  await Promise.all(list.map(async (s) => {
    if (asked.get(s.name) !== false && !(await runningWithin(s, KILL_MS / 2))) {
      if (asked.has(s.name)) note({ kind: 'services', action: 'stopped', service: s.name, message: `${s.name} stopped` });
      return;
    }
    if (s.kill) await sh(s.kill, KILL_MS / 2);
    note({ kind: 'services', action: 'killed', service: s.name, message: `${s.name} did not stop in time and was killed` });
  }));
  const still = (await Promise.all(list.map((s) => runningWithin(s, KILL_MS)))).some(Boolean);
  if (still) note({ kind: 'services', action: 'still-running', message: 'a service is still running after the fence deadline' });
  return !still;
}

export async function anyRunning(list: readonly ServiceSpec[]): Promise<boolean> {
  return (await Promise.all(list.map(running))).some(Boolean);
}

/** The services of the configuration, each resolved to its commands (systemd where it runs). */
export function resolveServices(list: ReadonlyArray<string | ServiceSpec>): ServiceSpec[] {
  const systemd = existsSync('/run/systemd/system');
  return list.map((x) => {
    if (typeof x !== 'string') return x;
    const k = knownService(x, systemd);
    if (!k) throw new UserError('agent-config', `The service ${x} is not known on a host without systemd; give its start, stop and check commands in the job.`);
    return k;
  });
}

/** The first line a TCP service sends (an SMTP or IMAP greeting), or null when it does not answer within 5 s. */
export function greeting(port: number, host = '127.0.0.1'): Promise<string | null> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    let buf = '';
    const done = (v: string | null) => { clearTimeout(timer); s.destroy(); resolve(v); };
    const timer = setTimeout(() => done(null), 5000);
    s.on('data', (d: Buffer) => { buf += d.toString('latin1'); if (buf.includes('\n')) done(buf.split(/\r?\n/)[0]!); });
    s.on('error', () => done(null));
    s.on('close', () => done(buf || null));
  });
}
