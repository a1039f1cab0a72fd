/**
 * Failback: the failover in reverse, in three parts, on the one plan engine (stops on a failure).
 *  1. Replication turned around while users keep working on the target: agents stopped and
 *     restarted with the roles swapped and each host's two folders of points changing places,
 *     so the newest point both hold is the parent; only what changed since the failover travels back.
 *  2. A short cut-over: the target's services stop and the lease goes back at the witness, a
 *     final point reaches the source, which brings it up, DNS and mailbox homes come back and
 *     the source's services start.
 *  3. The original roles back, so replication to the target goes on as before.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job, JobTarget } from '../../shared/job.ts';
import type { Plan, PlanStep } from '../../shared/plan.ts';
import type { Topology } from '../../shared/topology.ts';
import { UserError } from '../../shared/errors.ts';
import { sealPlan } from '../plans/plan-id.ts';
import { sha256File } from '../hosts/file-hash.ts';
import { HOST_PATHS as P, agentCommand } from '../provision/host-layout.ts';
import { shq } from '../../shared/quote.ts';
import { START_VERIFY } from '../provision/plan.ts';
import { agentConfig, jobHosts } from '../provision/agent-config.ts';
import { alertStep, counterparts } from './plan.ts';
import { dnsSteps, recordHost, type DnsNow } from './dns-steps.ts';
import { hostFileName } from '../provision/host-file-name.ts';


/** The job with source and target swapped (alert mode: a stale standby never takes over by itself). */
export function reversedJob(job: Job, target: JobTarget): Job {
  const { options, ...host } = target;
  return { ...job, source: host, targets: [{ ...job.source, options }], failover: { ...job.failover, mode: 'alert' } };
}

export interface ConfigFile { host: string; localFile: string; sha256: string; size: number }

/**
 * The reversed agent configurations, as local files made now. The original ones are not read from
 * this computer: each host keeps its own as provisioning left it, and gets it back at the end (a
 * witness's holds the lease key, which never lies here; and any computer with the job may fail back).
 */
export async function failbackConfigs(job: Job, target: JobTarget, base: string): Promise<{ reversed: ConfigFile[] }> {
  const rev = reversedJob(job, target);
  const hosts = [job.source.name, target.name, ...(job.witness ? [job.witness.name] : [])];
  const reversed: ConfigFile[] = [];
  for (const h of jobHosts(rev).filter((x) => hosts.includes(x.name))) {
    const dir = join(base, 'failback', hostFileName(h.name));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const f = join(dir, 'agent.json');
    // The two folders of points change places (a read-only subvolume cannot be moved): each host's newest
    // point the other also holds is then, unmoved and with its UUIDs intact, the parent of the first send back.
    const c = agentConfig(rev, h);
    const swapped = h.role === 'witness' ? c : { ...c, pointsDir: c.receiveDir, receiveDir: c.pointsDir };
    await writeFile(f, `${JSON.stringify(swapped, null, 2)}\n`, { mode: 0o600 });
    reversed.push({ host: h.name, localFile: f, ...(await sha256File(f)) });
  }
  return { reversed };
}

/** Where a host keeps the configuration provisioning gave it while a failback runs. */
export const KEPT_CONFIG = `${P.confDir}/agent.json.before-failback`;
const KEPT = KEPT_CONFIG;
/** The kept configuration back in place, and the copy gone (nothing when there is none). */
const RESTORE_KEPT = `if [ -f ${KEPT} ]; then cp -p ${KEPT} ${P.config} && rm -f ${KEPT}; fi`;
/** A configuration of this role (provisioning writes it as indented JSON): the kept one is the original, not a reversed one. */
const hasRole = (file: string, role: string) => `grep -qF ${shq(`"role": "${role}"`)} ${shq(file)}`;
/** The kept copy gone, and the configuration in place of this role. */
const putBackDone = (role: string) => `test ! -f ${shq(KEPT)} && grep -qF ${shq(`"role": "${role}"`)} ${shq(P.config)}`;
/**
 * Kept once: a failback run again after one cut short keeps the original, not the reversed one it had put there; and checked to
 * be the original (its role). Undone by putting it back (a rollback of a run again leaves no reversed configuration behind).
 */
const keep = (h: string, role: string): PlanStep => ({ kind: 'command', host: h, description: `keep ${h}'s configuration as provisioning left it, to put back after the failback`,
  command: `[ -f ${KEPT} ] || cp -p ${P.config} ${KEPT}`, verify: hasRole(KEPT, role), undo: RESTORE_KEPT });
/** Put back, and checked: the host's configuration has its own role again (a missing copy with a reversed one in place stops the plan). */
const putBack = (h: string, role: string): PlanStep => ({ kind: 'command', host: h, description: `give ${h} back its configuration as it was before the failover`,
  command: RESTORE_KEPT, verify: putBackDone(role) });

const stop = (h: string): PlanStep => ({ kind: 'command', host: h, description: `stop the agent on ${h}`, command: `${P.agentd} stop`, verify: `! ${P.agentd} status`, undo: `${P.agentd} start` });
const start = (h: string, role: string): PlanStep => ({ kind: 'command', host: h, description: `start the agent on ${h} as ${role}`, command: `${P.agentd} start`, verify: START_VERIFY, undo: `${P.agentd} stop` });
const upload = (f: ConfigFile, why: string): PlanStep => ({ kind: 'upload', host: f.host, description: `give ${f.host} its configuration ${why}`, localFile: f.localFile, sha256: f.sha256, size: f.size, remotePath: P.config, mode: 0o600 });

export function failbackPlan(job: Job, topo: Topology, target: JobTarget, dnsNow: DnsNow[], files: { reversed: ConfigFile[] }, adDnsServers: string[] = []): Plan {
  if (!job.witness) throw new UserError('no-witness', 'This job has no witness, so the lease cannot be handed back; add a witness to the job.');
  const [S, T, W] = [job.source.name, target.name, job.witness.name];
  const src = topo.servers.find((x) => x.name.toLowerCase() === S.toLowerCase());
  // Mailboxes go back from each target database to the source database it came from.
  const back = counterparts(job, topo, target).map(({ from, to }): PlanStep => ({ kind: 'rehome', description: `re-home the ${from.kind === 'public' ? 'public folders' : 'mailboxes'} of ${to.name} back to ${from.name}`,
    fromDatabase: to.dn, toDatabase: from.dn, toServer: src?.legacyExchangeDN ?? '', toMta: null }));
  const steps: PlanStep[] = [
    alertStep(T, 'failback-started', `${S} is being brought back; users keep working on ${T} until a short cut-over.`),
    // The target's agent still answers while the source sets aside what diverged: a source that went down before it wrote
    // down the last point the target confirmed asks the target instead.
    stop(S),
    { kind: 'command', host: S, description: `on ${S}, keep aside the points ${T} never received (renamed diverged-…, not deleted)`, command: agentCommand('set-aside-diverged', T) },
    stop(T), stop(W),
    keep(S, 'source'), keep(T, 'target'), keep(W, 'witness'),
    ...files.reversed.map((f) => upload(f, `for replication from ${T} back to ${S}`)),
    start(W, 'witness'), start(T, `source (${S}'s users keep working on it)`), start(S, `target of ${T}`),
    { kind: 'command', host: S, description: `wait until ${S} has received what changed on ${T} since the failover`, command: agentCommand('synced'), waits: 'progress' },
    { kind: 'command', host: T, description: `cut-over: stop the mail services on ${T} and hand the lease back to ${S} at the witness`, command: agentCommand('handover', S), verify: agentCommand('handed-over') },
    { kind: 'command', host: T, description: `wait until ${S} holds a point taken after ${T}'s services stopped (nothing is lost)`, command: agentCommand('final-point') },
    { kind: 'command', host: S, description: `bring up that point on ${S} as its data (the data from before the failover is kept aside)`, command: agentCommand('promote'), verify: agentCommand('promoted') },
    ...dnsSteps(job, dnsNow, recordHost(topo, target), recordHost(topo, job.source), adDnsServers, true),
    ...back,
    { kind: 'command', host: S, description: `start ${job.failover.services.join(', ')} on ${S} and check that they answer`, command: agentCommand('serve'), verify: agentCommand('serving') },
    stop(S), stop(T), stop(W),
    { kind: 'command', host: S, description: `clear the failover's markers on ${S} (the data stays)`, command: agentCommand('settle') },
    { kind: 'command', host: T, description: `clear the failover's markers on ${T}, so it starts as a standby again (the data stays)`, command: agentCommand('settle') },
    putBack(T, 'target'), putBack(W, 'witness'), putBack(S, 'source'),
    start(T, 'target'), start(W, 'witness'), start(S, 'source'),
    ...[S, T, W].map((h): PlanStep => ({ kind: 'command', host: h, description: `remove the configurations kept for undo on ${h}`, command: `rm -f ${P.confDir}/*.failguard-prev` })),
    alertStep(S, 'failback-done', `${S} serves mail again and replicates to ${T}.`),
  ];
  if (back.some((s) => s.kind === 'rehome' && !s.toServer)) throw new UserError('not-in-directory', `${S} has no legacyExchangeDN in the directory, so mailboxes cannot be homed on it.`);
  return sealPlan({ title: `Fail back ${T} → ${S} (${job.name})`, onFailure: 'stop', steps });
}
