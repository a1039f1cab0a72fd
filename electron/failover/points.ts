/**
 * The points each standby of a job holds, read from its agent over SSH: for `failguard points`,
 * the dashboard's point picker, and a point-in-time failover or rehearsal (`--at`), whose point
 * is chosen here from what the standby holds at that moment.
 */
import type { Job } from '../../shared/job.ts';
import type { AgentState } from '../../shared/agent-state.ts';
import { UserError } from '../../shared/errors.ts';
import { choosePoint, parseAtTime, pointRows, tripwireViewOf, type PointChoice, type StandbyPoints } from '../../shared/point-choice.ts';
export type { StandbyPoints } from '../../shared/point-choice.ts';
import { agentStatus } from '../provision/service.ts';
import type { SshPool } from '../hosts/ssh-pool.ts';


/** Each standby's points (oldest first), or why they cannot be read. */
export function standbyPointsOf(job: Job, states: Array<{ host: string; state: AgentState | null; error?: string }>): StandbyPoints[] {
  return job.targets.map((t) => {
    const h = states.find((x) => x.host === t.name);
    if (!h?.state) return { host: t.name, rows: null, error: h?.error ?? 'the agent cannot be read', holdsUnreadable: false, tripwire: null };
    return { host: t.name, rows: pointRows(h.state), error: null, holdsUnreadable: !!h.state.holdsUnreadable, tripwire: tripwireViewOf(h.state) };
  });
}

export async function standbyPoints(job: Job, o: { pool?: SshPool; sshSecret?: string } = {}): Promise<StandbyPoints[]> {
  return standbyPointsOf(job, await agentStatus(job, o.pool, o.sshSecret));
}

/** The point `at` (a time as a person writes it) picks on `target`, from what it holds now. */
export async function pointChoiceFor(job: Job, target: string, at: string, o: { pool?: SshPool; sshSecret?: string; now?: number } = {}): Promise<PointChoice> {
  const when = parseAtTime(at, o.now ?? Date.now());
  const p = (await standbyPoints(job, o)).find((x) => x.host === target);
  if (!p?.rows) throw new UserError('unreachable', `The points ${target} holds cannot be read (${p?.error ?? 'it is not a standby of this job'}), so no point can be chosen by time; bring its agent back, or fail over to the newest point without --at.`);
  return choosePoint(target, p.rows, when);
}
