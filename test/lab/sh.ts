/** Small process helpers for the lab: every command is logged as it runs and fails loudly. */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';

export class CommandError extends Error {
  readonly command: string;
  readonly code: number | null;
  readonly stderr: string;
  constructor(command: string, code: number | null, stderr: string) {
    super(`${command} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    this.command = command;
    this.code = code;
    this.stderr = stderr;
  }
}

export interface RunOptions {
  input?: string;
  allowFail?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** A secret passed on the command line: masked in any error message. */
  secret?: string;
}

/** Runs a command to completion and returns its stdout; throws CommandError unless allowFail. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): { stdout: string; stderr: string; code: number } {
  const o: SpawnSyncOptions = { input: opts.input, env: opts.env ?? process.env, cwd: opts.cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs };
  const r = spawnSync(cmd, args, o);
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? (r.error ? r.error.message : ''));
  const code = r.status ?? (r.error ? 127 : 1);
  if (code !== 0 && !opts.allowFail) {
    const mask = (t: string) => (opts.secret ? t.split(opts.secret).join('********') : t);
    throw new CommandError(mask([cmd, ...args].join(' ')), code, mask(stderr || stdout));
  }
  return { stdout, stderr, code };
}

/** Same as run, inside a lab network namespace. */
export function runInNetns(ns: string, cmd: string, args: readonly string[], opts: RunOptions = {}) {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

/** Runs a command inside every namespace of a lab host (mount, uts, pid, net) by entering its init. */
export function runInHost(initPid: number, cmd: string, args: readonly string[], opts: RunOptions = {}) {
  return run('nsenter', ['-t', String(initPid), '-a', cmd, ...args], opts);
}

/** Starts a long-lived detached process and returns its PID. */
export function startDetached(cmd: string, args: readonly string[], logFile: number): number {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', logFile, logFile] });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  return child.pid;
}

export function commandExists(cmd: string): boolean {
  return run('sh', ['-c', `command -v ${cmd}`], { allowFail: true }).code === 0;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function log(msg: string): void {
  process.stdout.write(`lab: ${msg}\n`);
}
