/**
 * The provisioning plan: for each host of the job, exactly the changes that make it run
 * the job's agent — files copied only where their hash differs, the agent stopped before
 * and started after, and verified answering. An unchanged job gives an empty plan.
 * Targets come first, so receivers are ready before the source ships.
 */
import type { Job } from '../../shared/job.ts';
import type { Plan, PlanStep } from '../../shared/plan.ts';
import { sealPlan } from '../plans/plan-id.ts';
import { shq } from '../hosts/shell.ts';
import { ADMISSION_MARK, DOVECOT_ADMISSION, FAILOVER_PATHS, HOST_PATHS as P, agentCommand } from './host-layout.ts';
import type { HostRoleInJob } from './agent-config.ts';

/**
 * A file that must be on a host: where, from which local file, with what hash and mode. A file of
 * secrets has no local file: `secret` names its content in the run, `digest` is its keyed digest.
 */
export interface ShippedFile { remotePath: string; localFile: string; sha256: string; size: number; mode: number; what: string; secret?: { name: string; digest: string } }

/**
 * What a host has now: the hash of each file Failguard put there, whether the agent runs, whether
 * systemd does, and whether its Postfix asks the agent before taking mail (`none`: no Postfix).
 */
export interface HostNow { files: Record<string, string | null>; agentRunning: boolean; systemd: boolean; admission?: 'on' | 'off' | 'none'; boot?: 'on' | 'off' | 'none' }

/** One script that reads a host's current state in one round trip. */
export function hostNowScript(paths: readonly string[]): string {
  return [...paths.map((p) => `printf 'file\\t%s\\t%s\\n' ${shq(p)} "$(sha256sum ${shq(p)} 2>/dev/null | cut -d' ' -f1)"`),
    `${P.agentd} status >/dev/null 2>&1 && echo 'agent running' || echo 'agent stopped'`,
    '[ -d /run/systemd/system ] && echo "systemd yes" || echo "systemd no"',
    // The agent starts at boot (a systemd unit, or a SysV script): 'none' where the host has neither.
    `if [ -d /run/systemd/system ]; then [ -e /etc/systemd/system/multi-user.target.wants/failguard-agent.service ] && echo 'boot on' || echo 'boot off'; elif command -v update-rc.d >/dev/null 2>&1; then ls /etc/rc2.d/S??failguard-agent >/dev/null 2>&1 && echo 'boot on' || echo 'boot off'; else echo 'boot none'; fi`,
    // Mail admission: on only where every mail server there (Postfix, Dovecot) asks the agent; none where neither is installed.
    `a=none; if command -v postconf >/dev/null 2>&1; then postconf -h smtpd_recipient_restrictions | grep -qF '${ADMISSION_MARK}' && a=on || a=off; fi; ` +
    `if [ -f /etc/dovecot/dovecot.conf ]; then if grep -qxF ${shq(`!include_try ${DOVECOT_ADMISSION}`)} /etc/dovecot/dovecot.conf && [ -f ${DOVECOT_ADMISSION} ]; then [ $a = off ] || a=on; else a=off; fi; fi; echo "admission $a"`].join('\n');
}

export function parseHostNow(out: string): HostNow {
  const files: Record<string, string | null> = {};
  for (const m of out.matchAll(/^file\t([^\t]+)\t([0-9a-f]{64})?$/gm)) files[m[1]!] = m[2] ?? null;
  const admission = /^admission (on|off|none)$/m.exec(out)?.[1] as HostNow['admission'];
  const boot = /^boot (on|off|none)$/m.exec(out)?.[1] as HostNow['boot'];
  return { files, agentRunning: /^agent running$/m.test(out), systemd: /^systemd yes$/m.test(out), ...(admission ? { admission } : {}), ...(boot ? { boot } : {}) };
}

export const START_VERIFY = `for i in $(seq 50); do ${P.agentd} status && [ -f ${P.stateDir}/state.json ] && [ $(( $(date +%s) - $(stat -c %Y ${P.stateDir}/state.json) )) -le 3 ] && exit 0; sleep 0.2; done; exit 1`;

/** Files the running agent reads when it uses them (the failover plan, the sealed account): replaced without touching the agent. */
const READ_ON_USE: readonly string[] = [FAILOVER_PATHS.plan, FAILOVER_PATHS.access];

/**
 * Per host, only what changed: a new runtime, agent, supervisor or certificate stops the agent
 * and starts it again; a new configuration alone is taken by the running agent (in place when
 * it can, so replication goes on and the PID stays); the failover plan alone is just copied.
 *
 * In phases, so that no monitor watches a source that is down for provisioning: every agent
 * that must stop stops first (targets first, so their monitors go before the source does);
 * then every file is copied; then the agents start, the witness first, then the source (which
 * serves once the witness answers), the targets last (their first heartbeat comes at once, so
 * none calls the source lost while the others are still being copied to).
 */
/** Postfix on `host` asks the agent for every message from now on; undone exactly. */
export function admissionStep(host: string): PlanStep {
  return { kind: 'command', host, description: `make Postfix and Dovecot on ${host} ask Failguard's agent before each message and each sign-in (while the agent cannot confirm that ${host} may take mail, senders are told to try again later and sign-ins are refused)`,
    command: `${P.agentd} admission on`, verify: `${P.agentd} admission status`, undo: `${P.agentd} admission off` };
}

/**
 * The agent starts at boot and the services it owns do not (an old source that reboots after a
 * failover must not take mail before its agent has asked the witness); undone exactly. Where the
 * host has no init system Failguard knows, the step says so plainly and changes nothing.
 */
export function bootStep(host: string, services: readonly string[], now: 'off' | 'none'): PlanStep {
  const names = services.map(shq).join(' ');
  if (now === 'none') {
    return { kind: 'command', host, description: `note that ${host} has neither systemd nor SysV init scripts: nothing starts Failguard's agent when ${host} boots, so after a restart its Postfix tells senders to try again later until someone runs ${P.agentd} start`, command: 'true' };
  }
  return { kind: 'command', host, description: `start Failguard's agent when ${host} boots${services.length ? `, and leave ${services.join(' and ')} to it (they no longer start by themselves; the agent starts them once the witness confirms ${host})` : ''}`,
    command: `${P.agentd} boot on ${names}`.trimEnd(), verify: `${P.agentd} boot status ${names}`.trimEnd(), undo: `${P.agentd} boot off` };
}

export function provisioningPlan(job: Job, hosts: Array<{ role: HostRoleInJob; name: string; files: ShippedFile[]; now: HostNow }>): Plan {
  const stops: Array<{ role: HostRoleInJob; step: PlanStep }> = [];
  const copies: PlanStep[] = [];
  const starts: Array<{ role: HostRoleInJob; step: PlanStep }> = [];
  /** Steps that set how the host runs the agent: mail admission, start at boot (after the copies, before the agents start). */
  const admissions: PlanStep[] = [];
  for (const h of hosts) {
    // The source and the targets take mail only while their agent admits it (shared/admission.ts).
    if (h.role !== 'witness' && h.now.admission === 'off') admissions.push(admissionStep(h.name));
    // The agent starts with the host, and the mail services it owns do not start by themselves.
    if (h.now.boot === 'off' || h.now.boot === 'none') admissions.push(bootStep(h.name, h.role === 'witness' ? [] : job.failover.services, h.now.boot));
    const changed = h.files.filter((f) => h.now.files[f.remotePath] !== f.sha256);
    if (!changed.length && h.now.agentRunning) continue;
    // The configuration and the alert secrets are taken in place; anything else the agent read at start (its key too) needs a restart.
    const restart = !h.now.agentRunning || changed.some((f) => f.remotePath !== P.config && f.remotePath !== P.secrets && !READ_ON_USE.includes(f.remotePath));
    const config = changed.some((f) => f.remotePath === P.config || f.remotePath === P.secrets);
    if (restart && changed.length && h.now.agentRunning) {
      stops.push({ role: h.role, step: { kind: 'command', host: h.name, description: `stop the agent on ${h.name} while its files change`, command: `${P.agentd} stop`, verify: `! ${P.agentd} status`, undo: `${P.agentd} start` } });
    }
    // A first install only: every later copy makes its own folder if it must.
    if (h.files.every((f) => !h.now.files[f.remotePath])) {
      copies.push({ kind: 'command', host: h.name, description: `make Failguard's folders on ${h.name}`, command: `mkdir -p ${P.dir}/bin ${P.confDir} ${P.stateDir} && chmod 755 ${P.dir} && chmod 700 ${P.confDir} ${P.stateDir}`, verify: `test -d ${P.dir}/bin -a -d ${P.confDir} -a -d ${P.stateDir}` });
    }
    for (const f of changed) {
      copies.push(f.secret
        ? { kind: 'secret-file', host: h.name, description: `write ${f.what} on ${h.name}`, secret: f.secret.name, digest: f.secret.digest, remotePath: f.remotePath, mode: f.mode }
        : { kind: 'upload', host: h.name, description: `copy ${f.what} to ${h.name}`, localFile: f.localFile, sha256: f.sha256, size: f.size, remotePath: f.remotePath, mode: f.mode });
    }
    if (restart) {
      starts.push({ role: h.role, step: { kind: 'command', host: h.name, description: `start the agent on ${h.name} (${h.role}) and check that it answers`, command: `${P.agentd} start`, verify: START_VERIFY, undo: `${P.agentd} stop` } });
    } else if (config) {
      starts.push({ role: h.role, step: { kind: 'command', host: h.name, description: `have the agent on ${h.name} take its new configuration (in place where it can, so replication goes on)`, command: agentCommand('reload'), verify: agentCommand('config-applied'),
        // Undone before the upload puts the old file back: so put it back here first, then reload it.
        undo: `[ -f ${P.config}.failguard-prev ] && cp -p ${P.config}.failguard-prev ${P.config}; ${agentCommand('reload')}` } });
    }
  }
  const byRole = (order: HostRoleInJob[]) => (a: { role: HostRoleInJob }, b: { role: HostRoleInJob }) => order.indexOf(a.role) - order.indexOf(b.role);
  const steps: PlanStep[] = [...stops.sort(byRole(['target', 'source', 'witness'])).map((x) => x.step), ...copies, ...admissions, ...starts.sort(byRole(['witness', 'source', 'target'])).map((x) => x.step)];
  const copiedTo = [...new Set(copies.filter((s) => s.kind === 'upload' || s.kind === 'secret-file').map((s) => (s as { host: string }).host))];
  // Files replaced are kept beside the new ones until here, so that any failure before could put them back.
  for (const h of copiedTo) {
    // And a configuration a failback cut short kept: the one provisioned now is the original a later failback keeps.
    steps.push({ kind: 'command', host: h, description: `remove the replaced copies kept for undo on ${h}`, command: `rm -f ${P.dir}/*.failguard-prev ${P.dir}/bin/*.failguard-prev ${P.confDir}/*.failguard-prev ${P.confDir}/agent.json.before-failback` });
  }
  return sealPlan({ title: `Protect ${job.source.name} → ${job.targets.map((t) => t.name).join(', ')} (${job.name})`, onFailure: 'undo' as const, steps });
}
