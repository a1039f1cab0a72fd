/**
 * The failover plan: from the job and the directory as it is now, the verified steps that
 * bring a target up in the source's place — take the lease from the witness, promote the
 * newest point, repoint DNS, re-home every mailbox and public folder database, start the
 * services and check they answer. It runs on the one plan engine and stops (never undoes)
 * on a failure, so a person sees where it stands; the next run resumes from its journal.
 */
import type { Job, JobTarget } from '../../shared/job.ts';
import type { Plan, PlanStep } from '../../shared/plan.ts';
import type { ExchangeServer, MailboxDatabase, Topology } from '../../shared/topology.ts';
import { UserError } from '../../shared/errors.ts';
import { sealPlan } from '../plans/plan-id.ts';
import { HOST_PATHS as P, agentCommand } from '../provision/host-layout.ts';
import { shq } from '../hosts/shell.ts';
import { parsePoint } from '../../shared/points.ts';
import { dnsSteps, recordHost, type DnsNow } from './dns-steps.ts';


/** An alert sent by a plan's host to the job's receivers (a receiver that is down holds up nothing). */
export function alertStep(host: string, event: string, message: string): PlanStep {
  return { kind: 'command', host, description: `alert: ${message}`, command: `${agentCommand('alert', event, 'critical')} ${shq(message)}` };
}

export type { DnsNow } from './dns-steps.ts';

/** A point's time as the plan says it (its name holds it). */
export const pointTime = (point: string) => { const p = parsePoint(point); if (!p) throw new UserError('bad-input', `${JSON.stringify(point)} is not a point's name.`, { field: 'at' }); return new Date(p.at).toISOString(); };

/** Each source database with the target database its mailboxes move to. */
export function counterparts(job: Job, topo: Topology, target: JobTarget): Array<{ from: MailboxDatabase; to: MailboxDatabase }> {
  const server = (name: string): ExchangeServer => {
    const s = topo.servers.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!s) throw new UserError('not-in-directory', `${name} is not an Exchange server in the directory; check the job's server names against discovery.`);
    return s;
  };
  const [src, dst] = [server(job.source.name), server(target.name)];
  const dbs = (s: ExchangeServer, kind: MailboxDatabase['kind']) => topo.databases.filter((d) => d.server?.toLowerCase() === s.name.toLowerCase() && d.kind === kind).sort((a, b) => a.name.localeCompare(b.name));
  const out: Array<{ from: MailboxDatabase; to: MailboxDatabase }> = [];
  for (const kind of ['mailbox', 'public'] as const) {
    const from = dbs(src, kind);
    const to = dbs(dst, kind);
    for (const [i, f] of from.entries()) {
      const named = job.failover.databases[f.name];
      const t = named ? to.find((d) => d.name === named) : to[i];
      if (!t) {
        throw new UserError('no-counterpart', named
          ? `${named}, chosen as the counterpart of ${f.name}, is not a ${kind} database of ${dst.name}; choose one of ${to.map((d) => d.name).join(', ') || 'none'}.`
          : `${dst.name} has ${to.length} ${kind} database(s) and ${src.name} has ${from.length}; choose the counterpart of ${f.name} in step 3 (failover.databases).`, { field: 'failover.databases' });
      }
      out.push({ from: f, to: t });
    }
  }
  return out;
}

/**
 * `planned`: a switchover while the source is up; its services stop and the lease is handed over
 * first, then a final point taken after the stop reaches the target, so nothing at all is lost.
 */
/** One re-home step per source database, to its counterpart on the target. */
export function rehomeSteps(job: Job, topo: Topology, target: JobTarget): PlanStep[] {
  const dst = topo.servers.find((x) => x.name.toLowerCase() === target.name.toLowerCase());
  return counterparts(job, topo, target).map(({ from, to }): PlanStep => ({ kind: 'rehome', description: `re-home the ${from.kind === 'public' ? 'public folders' : 'mailboxes'} of ${from.name} to ${to.name}`,
    fromDatabase: from.dn, toDatabase: to.dn, toServer: dst?.legacyExchangeDN ?? '', toMta: null }));
}

/**
 * `point`: a point-in-time failover brings up this point (null: the newest), and holds the newer
 * ones, set aside. With a planned switchover too: the source (up, but its data damaged) stops and
 * ships its last point first, so everything newer is on the standby, held, and nothing is lost.
 */
export function failoverPlan(job: Job, topo: Topology, target: JobTarget, dnsNow: DnsNow[], planned = false, adDnsServers: string[] = [], point: string | null = null): Plan {
  if (!job.witness) throw new UserError('no-witness', 'This job has no witness, so nothing can prove that the source is down; add a witness to the job before a failover.');
  const src = job.source.name;
  const steps: PlanStep[] = [
    alertStep(target.name, planned ? 'switchover-started' : 'failover-started', `${target.name} is taking over from ${src}${planned ? ' (a planned switchover)' : ''}.`),
    ...(planned ? [
      { kind: 'command' as const, host: src, description: `stop the mail services on ${src} and hand the lease to ${target.name} at the witness`, command: agentCommand('handover', target.name), verify: agentCommand('handed-over') },
      { kind: 'command' as const, host: src, description: `wait until ${target.name} holds a point taken after ${src}'s services stopped (nothing is lost)`, command: agentCommand('final-point') },
    ] : []),
    { kind: 'command', host: target.name, description: `take the lease from the witness (granted only when the witness too has lost ${job.source.name})`, command: agentCommand('lease'), verify: agentCommand('holds-lease') },
    point
      ? { kind: 'command', host: target.name, description: `bring up the point taken ${pointTime(point)} (${point}) on ${target.name} as its data; its newer points are set aside, held until a person releases them (what was there is kept aside)`, command: agentCommand('promote', point), verify: agentCommand('promoted'), undo: agentCommand('unpromote') }
      : { kind: 'command', host: target.name, description: `bring up the newest consistency point on ${target.name} as its data (what was there is kept aside)`, command: agentCommand('promote'), verify: agentCommand('promoted'), undo: agentCommand('unpromote') },
    ...dnsSteps(job, dnsNow, recordHost(topo, job.source), recordHost(topo, target), adDnsServers),
    ...rehomeSteps(job, topo, target),
    { kind: 'command', host: target.name, description: `start ${job.failover.services.join(', ')} on ${target.name} and check that they answer`, command: agentCommand('serve'), verify: agentCommand('serving'), undo: agentCommand('unserve') },
    { kind: 'command', host: target.name, description: `mark ${target.name} as failed over (it stays the one that serves until failback)`, command: agentCommand('phase', 'failed-over'), verify: `grep -q '"failed-over"' ${P.stateDir}/phase.json` },
    alertStep(target.name, planned ? 'switchover-done' : 'failover-done', `${target.name} has taken over from ${src} and serves mail.`),
  ];
  if (steps.some((s) => s.kind === 'rehome' && !s.toServer)) throw new UserError('not-in-directory', `${target.name} has no legacyExchangeDN in the directory, so mailboxes cannot be homed on it.`);
  return sealPlan({ title: `${planned ? 'Switch over' : 'Fail over'} ${job.source.name} → ${target.name} (${job.name})`, onFailure: 'stop', steps });
}
