/** What integration tests need around the lab: its status, its commands, and small real clients. */
import { spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore } from '../../electron/jobs/secret-store.ts';
import { jobKeysIn, type JobKeys } from '../../electron/jobs/job-keys.ts';
import { Client as SshClient } from 'ssh2';
import type { status as statusFn } from '../lab/lab.ts';

export type LabStatus = ReturnType<typeof statusFn>;

export function lab(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['test/lab/cli.ts', ...args], { encoding: 'utf8', env: process.env });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export function labStatus(): LabStatus {
  const r = lab('status', '--json');
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as LabStatus;
}

export function hostOf(s: LabStatus, name: string) {
  const h = s.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name} in lab status`);
  return h;
}

/** Runs a shell command inside a lab host's namespaces. */
export function inHost(s: LabStatus, name: string, command: string): { code: number; stdout: string; stderr: string } {
  const pid = hostOf(s, name).pid ?? s.pids[name]?.initPid;
  if (!pid) throw new Error(`${name} is not running`);
  const r = spawnSync('nsenter', ['-t', String(pid), '-a', '/bin/bash', '-c', command], { encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Polls until `f` gives (or resolves to) something truthy and returns it; after `ms`, fails naming what it waited for (a function: described at that moment). */
export async function until<T>(what: string | (() => string), f: () => T | null | undefined | false | Promise<T | null | undefined | false>, ms = 60_000, everyMs = 500): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    // Awaited: an async predicate gives a Promise, which is always truthy.
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A lab host's agent events (its events.jsonl), oldest first: what tests read of an agent's history, never its log's text. */
export function agentEvents(host: string): AgentEvent[] {
  return parseEvents(inHost(labStatus(), host, 'cat /var/lib/failguard/events.jsonl.1 /var/lib/failguard/events.jsonl 2>/dev/null').stdout);
}

/** One instant query to the lab's Prometheus (its HTTP API): each series' labels and value. */
export async function promQuery(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
  const r = await fetch(`${labStatus().receivers.prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = await r.json() as { status: string; error?: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success' || !body.data) throw new Error(`Prometheus refused ${expr}: ${body.error ?? r.status}`);
  return body.data.result.map((x) => ({ metric: x.metric, value: Number(x.value[1]) }));
}

/**
 * Takes Failguard off lab hosts again: agents stopped, their files and every point gone, and the test's own folder removed.
 * Every agent is stopped before any clean-up, the witness first: in automatic mode a standby left running while the
 * source's slow clean-up goes on would count the source lost after the timeout and fail over (DNS and mailbox homes with it).
 */
export function resetProtection(s: LabStatus, hosts: readonly string[], testDir: string, o: { keepRuntime?: boolean } = {}): void {
  // The witness first: without it no standby can be granted the lease while the others stop.
  for (const h of [...hosts.filter((x) => x === 'witness'), ...hosts.filter((x) => x !== 'witness')]) inHost(s, h, '[ -x /opt/failguard/agentd ] && /opt/failguard/agentd stop; true');
  // The agent's 121 MB runtime stays between tests (provisioning then copies only what differs), unless a test wants the cold path.
  const removeAgent = o.keepRuntime === false ? 'rm -rf /opt/failguard' : 'find /opt/failguard -mindepth 1 -not -path /opt/failguard/bin -not -path /opt/failguard/bin/node -exec rm -rf {} + 2>/dev/null';
  const a = '/opt/failguard/agentd';
  // Postfix asks the agent for every message while admission is on, and the mail services' own start at boot was left to the agent:
  // both put back first, or the next test's mail is refused.
  const clean = `[ -x ${a} ] && ${a} stop; [ -x ${a} ] && ${a} admission off; [ -x ${a} ] && ${a} boot off; ${removeAgent}; rm -rf /etc/failguard/* /var/lib/failguard/*; ` +
    // Every subvolume Failguard made under /srv/.failguard (points, received, diverged, kept-aside copies), deepest first.
    `for p in $(btrfs subvolume list -o /srv 2>/dev/null | awk '{print $NF}' | grep '^\\.failguard/' | sort -r); do btrfs -q subvolume delete "/srv/$p"; done; ` +
    // Deleted subvolumes give their space back only once btrfs's cleaner has run: wait for it, so the next test sees it free.
    // The cleaner wakes at a transaction commit (every 30 s by default): one forced now makes the wait a few milliseconds, not 10-30 s.
    `rm -rf /srv/.failguard /srv/mail/${testDir}; btrfs filesystem sync /srv >/dev/null 2>&1; btrfs subvolume sync /srv >/dev/null 2>&1; true`;
  // Every host at once: the clean-up of one (btrfs's cleaner) does not wait for another's.
  const pids = hosts.map((h) => hostOf(s, h).pid ?? s.pids[h]?.initPid);
  const script = pids.map((pid, i) => (pid ? `nsenter -t ${pid} -a /bin/bash -c ${shellQuote(clean)} >/dev/null 2>&1 &` : `echo '${hosts[i]} is not running' >&2`)).join('\n');
  spawnSync('/bin/bash', ['-c', `${script}\nwait`], { encoding: 'utf8' });
}

const shellQuote = (x: string) => `'${x.replaceAll("'", "'\\''")}'`;

/** Every file under a folder (the secrets sweeps look through each one the app wrote). */
export function filesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk : (f: string) => files.push(f))(join(d, e.name)); };
  walk(dir);
  return files;
}

export { sshFingerprint } from '../../electron/hosts/ssh-connection.ts';
import { sshFingerprint } from '../../electron/hosts/ssh-connection.ts';
import { parseEvents, type AgentEvent } from '../../shared/agent-events.ts';

/** Runs a command over SSH with the lab's key; rejects if the host key is not the expected one. */
export function sshExec(host: { address: string; keyFile: string }, expectedFingerprint: string, command: string): Promise<{ stdout: string; seen: string }> {
  return new Promise((resolve, reject) => {
    const c = new SshClient();
    let seen = '';
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let out = '';
        stream.on('data', (d: Buffer) => (out += d.toString()));
        stream.on('close', () => { c.end(); resolve({ stdout: out, seen }); });
      });
    });
    c.on('error', reject);
    c.connect({
      host: host.address, port: 22, username: 'root', privateKey: readFileSync(host.keyFile), readyTimeout: 10_000,
      algorithms: { serverHostKey: ['ssh-ed25519'] },
      hostVerifier: (key: Buffer) => { seen = sshFingerprint(key); return seen === expectedFingerprint; },
    });
  });
}

/** A line-oriented conversation over TCP (SMTP, IMAP). */
export class LineConn {
  #buf = '';
  #waiters: Array<() => void> = [];
  readonly sock: Socket;
  private constructor(sock: Socket) {
    this.sock = sock;
    sock.on('data', (d) => { this.#buf += d.toString('utf8'); for (const w of this.#waiters.splice(0)) w(); });
  }
  static open(host: string, port: number): Promise<LineConn> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(new LineConn(s)));
      s.on('error', reject);
    });
  }
  /** Waits until the received text matches, and returns (and consumes) it. */
  async until(re: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.#buf);
      if (m) {
        const got = this.#buf.slice(0, m.index + m[0].length);
        this.#buf = this.#buf.slice(m.index + m[0].length);
        return got;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; got: ${this.#buf.slice(-200)}`);
      await new Promise<void>((r) => { this.#waiters.push(r); setTimeout(r, 200); });
    }
  }
  send(line: string): void {
    this.sock.write(`${line}\r\n`);
  }
  close(): void {
    this.sock.destroy();
  }
}

/** The server's next complete reply (its last line) and its code. */
async function smtpReply(c: LineConn, timeoutMs?: number): Promise<{ code: number; text: string }> {
  const text = await c.until(/^\d{3} .*\r\n/m, timeoutMs);
  return { code: Number(/^(\d{3}) [^\n]*\r\n$/m.exec(text)?.[1] ?? 0), text };
}

/**
 * Sends one message and returns the server's acceptance. A temporary refusal (4xx: the host not yet
 * confirmed as the one that takes mail) is tried again for up to `retryMs`, as a sending server would.
 */
export async function sendMail(host: string, from: string, to: string, subject: string, body: string, retryMs = 20_000): Promise<string> {
  const end = Date.now() + retryMs;
  for (;;) {
    try {
      return await sendMailOnce(host, from, to, subject, body);
    } catch (e) {
      if (!(e instanceof TemporaryRefusal) || Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

class TemporaryRefusal extends Error {}

async function sendMailOnce(host: string, from: string, to: string, subject: string, body: string): Promise<string> {
  const c = await LineConn.open(host, 25);
  try {
    await c.until(/^220 .*\r\n/m);
    c.send('EHLO failguard-test');
    await c.until(/^250 .*\r\n/m);
    for (const [cmd, want] of [[`MAIL FROM:<${from}>`, 250], [`RCPT TO:<${to}>`, 250], ['DATA', 354]] as const) {
      c.send(cmd);
      const r = await smtpReply(c);
      // A refusal (451 while the host may not take mail) fails at once, saying what the server said.
      if (r.code !== want) throw new (r.code >= 400 && r.code < 500 ? TemporaryRefusal : Error)(`${host} answered ${cmd.split(':')[0]} with ${r.text.trim()}`);
    }
  c.send(`From: <${from}>\r\nTo: <${to}>\r\nSubject: ${subject}\r\n\r\n${body}\r\n.`);
    const accepted = await c.until(/^250 .*\r\n/m);
    c.send('QUIT');
    return accepted;
  } finally {
    c.close();
  }
}

/**
 * Whether `host` accepts a message right now, measured as a sender sees it: RCPT TO answered 250
 * (a greeting alone proves nothing; a 4xx, a timeout or no answer is "not accepted"). Nothing is sent.
 */
export async function rcptAccepted(host: string, to = 'user000001@lab.test', timeoutMs = 2500): Promise<boolean> {
  let c: LineConn | undefined;
  try {
    c = await Promise.race([LineConn.open(host, 25), new Promise<never>((_, no) => setTimeout(() => no(new Error('no connection')), timeoutMs))]);
    const end = Date.now() + timeoutMs;
    const left = () => Math.max(1, end - Date.now());
    if ((await smtpReply(c, left())).code !== 220) return false;
    c.send('EHLO failguard-probe');
    if ((await smtpReply(c, left())).code !== 250) return false;
    c.send('MAIL FROM:<probe@lab.test>');
    if ((await smtpReply(c, left())).code !== 250) return false;
    c.send(`RCPT TO:<${to}>`);
    const ok = (await smtpReply(c, left())).code === 250;
    c.send('QUIT');
    return ok;
  } catch {
    return false;
  } finally {
    c?.close();
  }
}

/** Logs in over IMAP and returns the full text of the messages whose subject matches. */
export async function imapFetchBySubject(host: string, user: string, password: string, subject: string, retryMs = 20_000): Promise<string[]> {
  // A sign-in refused while the host is not yet confirmed as the one that serves is tried again, as a mail client would.
  const end = Date.now() + retryMs;
  for (;;) {
    try {
      return await imapFetchOnce(host, user, password, subject);
    } catch (e) {
      if (!/^IMAP LOGIN failed/.test((e as Error).message) || Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function imapFetchOnce(host: string, user: string, password: string, subject: string): Promise<string[]> {
  const c = await LineConn.open(host, 143);
  await c.until(/^\* OK.*\r\n/m);
  let n = 0;
  const cmd = async (text: string) => {
    const tag = `a${++n}`;
    c.send(`${tag} ${text}`);
    const got = await c.until(new RegExp(`^${tag} (OK|NO|BAD).*\\r\\n`, 'm'));
    if (!new RegExp(`^${tag} OK`, 'm').test(got)) throw new Error(`IMAP ${text.split(' ')[0]} failed: ${got.trim().split('\n').at(-1)}`);
    return got;
  };
  await cmd(`LOGIN ${user} ${password}`).catch((e: Error) => { c.close(); throw e; });
  await cmd('SELECT INBOX');
  const search = await cmd(`SEARCH SUBJECT "${subject}"`);
  const ids = (/^\* SEARCH ?(.*)\r\n/m.exec(search)?.[1] ?? '').split(' ').filter(Boolean);
  const out: string[] = [];
  for (const id of ids) out.push(await cmd(`FETCH ${id} BODY[]`));
  await cmd('LOGOUT').catch(() => undefined);
  c.close();
  return out;
}

/** A new secret store key file (32 random bytes, 0600) outside any data folder, as a person would keep one. */
export function newKeyFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fg-key-')), 'secret.key');
  writeFileSync(file, randomBytes(32), { mode: 0o600 });
  return file;
}

const stores = new Map<string, Promise<SecretStore>>();

/** A job's keys in the encrypted store inside `dataDir`, opened (once per folder) with a key file of its own: what protect needs. */
export async function jobKeysFor(dataDir: string, jobId: string): Promise<JobKeys> {
  if (!stores.has(dataDir)) stores.set(dataDir, SecretStore.open(join(dataDir, 'secrets.json'), { kind: 'key-file', file: newKeyFile() }));
  return jobKeysIn(await stores.get(dataDir)!, jobId);
}
