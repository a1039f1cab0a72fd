/**
 * Lab hosts as processes: each host is an init (PID 1 of its own PID, mount and UTS
 * namespaces) inside its network namespace. Killing that init is pulling the plug:
 * the kernel ends every process of the host at once.
 */
import { existsSync, openSync, readdirSync, readFileSync, readlinkSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { netnsOf, paths, ports, type HostSpec } from './config.ts';
import { fsOf, imageOf, privateMounts, receiverPaths } from './host-fs.ts';
import { sambaConf } from './dc.ts';
import { run, startDetached, sleep } from './sh.ts';
import { namedConfFile } from './dns-server.ts';

interface HostState { unsharePid: number; initPid: number; startedAt: string }
type LabState = Record<string, HostState>;

export function readState(): LabState {
  try {
    return JSON.parse(readFileSync(paths.state, 'utf8')) as LabState;
  } catch {
    return {};
  }
}
function writeState(s: LabState): void {
  writeFileSync(paths.state, JSON.stringify(s, null, 2));
}

function processAlive(pid: number, mustContain: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mustContain);
  } catch {
    return false;
  }
}

const initScriptOf = (name: string) => join(paths.host(name), 'init.sh');

/** The init PID of a running host, or undefined when the host is not running. */
export function initPidOf(name: string): number | undefined {
  const s = readState()[name];
  return s && processAlive(s.initPid, initScriptOf(name)) ? s.initPid : undefined;
}

export function isRunning(name: string): boolean {
  return initPidOf(name) !== undefined;
}

function servicesOf(h: HostSpec): string[] {
  switch (h.kind) {
    case 'dc':
      return [`samba --foreground --no-process-group -s ${sambaConf()} &`];
    // A mail host and the witness boot like a Debian server without systemd: their runlevel 2 start links, in order.
    case 'mail':
    case 'witness':
      return ['for s in /etc/rc2.d/S*; do [ -x "$s" ] && "$s" start >>/var/log/boot.log 2>&1 || true; done'];
    case 'receivers': {
      const r = receiverPaths();
      return [
        `/usr/bin/python3 -m aiosmtpd -n -l ${h.address}:25 -c aiosmtpd.handlers.Mailbox ${r.smtpMaildir} >>/var/log/aiosmtpd.log 2>&1 &`,
        `/usr/bin/python3 ${r.submissionScript} ${h.address} 587 ${r.submissionMaildir} ${r.tls}/cert.pem ${r.tls}/key.pem ${paths.alertSecrets} >>/var/log/smtp-submission.log 2>&1 &`,
        `snmptrapd -f -Lf ${r.snmpLog} -C -c ${r.snmpConf} -p /run/snmptrapd.pid udp:${h.address}:162 >>/var/log/snmptrapd.log 2>&1 &`,
        `rsyslogd -n -f ${r.rsyslogConf} -i /run/rsyslogd.pid >>/var/log/rsyslogd.log 2>&1 &`,
        `slapd -f ${r.slapdConf} -h ldap://${h.address}:389/ -d 0 >>/var/log/slapd.log 2>&1 &`,
        `named -f -c ${namedConfFile()} >>/var/log/named.log 2>&1 &`,
        `prometheus --config.file=${r.prometheusConf} --storage.tsdb.path=${r.prometheusData} --web.listen-address=${h.address}:${ports.prometheus} >>/var/log/prometheus.log 2>&1 &`,
      ];
    }
  }
}

export function initScript(h: HostSpec): string {
  const fs = fsOf(h.name);
  const mounts = privateMounts(h).map((p) => `mount --bind ${join(fs, p)} /${p}`);
  return `#!/bin/bash
# PID 1 of lab host ${h.name}: private mounts, services, then reap children until killed.
set -eu
hostname ${h.name}
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
# Mount points of the agent's configuration and state (their content is the host's own).
mkdir -p /etc/failguard /var/lib/failguard
${mounts.join('\n')}
${h.kind === 'mail' ? `mount -o loop ${imageOf(h.name)} /srv
mkdir -p /srv/mail/queue` : ''}
mkdir -p /run/sshd
/usr/sbin/sshd -f /etc/ssh/sshd_config -E /var/log/sshd.log
# Only what the OS and Failguard's provisioning set up to start at boot: no start logic of the lab's own.
${servicesOf(h).join('\n')}
echo "${h.name} is up"
trap 'exit 0' TERM INT
while true; do sleep 3600 & wait $! || true; done
`;
}

/**
 * Starts a host's init and records its PIDs; a host already running is left alone. On a busy
 * machine an init has (rarely) failed to come up for reasons of the moment (unshare's signal
 * mask, a slow fork): it is tried up to three times before the lab gives up, saying why.
 */
export async function startHost(h: HostSpec): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startHostOnce(h);
    } catch (e) {
      if (attempt >= 3) throw e;
      await killHost(h.name).catch(() => undefined);
      await sleep(500);
    }
  }
}

async function startHostOnce(h: HostSpec): Promise<boolean> {
  if (isRunning(h.name)) return false;
  const script = initScriptOf(h.name);
  writeFileSync(script, initScript(h), { mode: 0o755 });
  const logFd = openSync(join(paths.host(h.name), 'init.log'), 'w');
  const unsharePid = startDetached('ip', ['netns', 'exec', netnsOf(h.name), 'unshare', '--mount', '--uts', '--pid', '--fork',
    '--mount-proc', '--propagation', 'private', '/bin/bash', script], logFd);
  closeSync(logFd);
  let initPid: number | undefined;
  for (let i = 0; i < 500 && initPid === undefined; i++) {
    await sleep(20);
    initPid = childOf(unsharePid);
  }
  const logFile = join(paths.host(h.name), 'init.log');
  const failed = () => new Error(`${h.name} did not start: ${readFileSync(logFile, 'utf8').trim().split('\n').slice(-2).join(' ') || 'a service failed'} (see ${logFile} and ${join(fsOf(h.name), 'var/log')}).`);
  if (initPid === undefined) {
    // Never leave a half-started host behind for the next attempt.
    const late = childOf(unsharePid);
    if (late) process.kill(late, 'SIGKILL');
    throw failed();
  }
  writeState({ ...readState(), [h.name]: { unsharePid, initPid, startedAt: new Date().toISOString() } });
  // The init prints "<name> is up" once its services are launched, or dies on the first error (set -e).
  for (let i = 0; i < 500; i++) {
    if (readFileSync(logFile, 'utf8').includes(`${h.name} is up`)) return true;
    if (!processAlive(initPid, initScriptOf(h.name))) {
      await killHost(h.name);
      throw failed();
    }
    await sleep(20);
  }
  throw failed();
}

function childOf(pid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids.find((k) => processAlive(k, 'init.sh'));
  } catch {
    return undefined;
  }
}

/** Pulls the plug: SIGKILL to the host's init ends every process in its PID namespace. */
export async function killHost(name: string): Promise<boolean> {
  const s = readState()[name];
  if (!s) return false;
  const alive = processAlive(s.initPid, initScriptOf(name));
  if (alive) process.kill(s.initPid, 'SIGKILL');
  // Wait until both processes are gone from /proc (the machine's init reaps the orphaned unshare).
  for (let i = 0; i < 250; i++) {
    if (!existsSync(`/proc/${s.initPid}`) && !existsSync(`/proc/${s.unsharePid}`)) break;
    await sleep(20);
  }
  const state = readState();
  delete state[name];
  writeState(state);
  return alive;
}

/** Every process of a running host (those in its PID namespace), its init first. */
function processesOf(name: string): number[] {
  const init = initPidOf(name);
  if (init === undefined) throw new Error(`${name} is not running; start it with: npm run lab -- start ${name}`);
  const ns = readlinkSync(`/proc/${init}/ns/pid`);
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
    try { return p !== init && readlinkSync(`/proc/${p}/ns/pid`) === ns; } catch { return false; }
  });
  return [init, ...pids];
}

/**
 * Freezes a whole host as a hung VM or a paused hypervisor would: every process stopped where it
 * is (SIGSTOP), its sockets and timers left as they were; `thaw` lets them all go on at once.
 */
export function freezeHost(name: string, frozen: boolean): number {
  const pids = processesOf(name);
  for (const p of pids) {
    try { process.kill(p, frozen ? 'SIGSTOP' : 'SIGCONT'); } catch { /* ended meanwhile */ }
  }
  // A process forked while the others were being stopped is caught by a second pass.
  if (frozen) for (const p of processesOf(name)) if (!pids.includes(p)) { try { process.kill(p, 'SIGSTOP'); } catch { /* ended */ } }
  return pids.length;
}

/** Runs a shell command inside a running host (all of its namespaces). */
export function execInHost(name: string, command: string, opts: { allowFail?: boolean; input?: string } = {}) {
  const pid = initPidOf(name);
  if (pid === undefined) throw new Error(`${name} is not running; start it with: npm run lab -- start ${name}`);
  return run('nsenter', ['-t', String(pid), '-a', '/bin/bash', '-c', command], opts);
}

export function hostLogDir(name: string): string {
  return join(fsOf(name), 'var/log');
}
