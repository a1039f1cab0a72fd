/**
 * The rehearsal (test failover): on the target, a writable copy of the newest point brought up
 * in place of its idle data, the mail services started on it and checked (greetings, and Dovecot
 * reading a mailbox), then stopped and the copy discarded. No DNS, no directory, no lease:
 * the source keeps serving and replication never stops (points keep arriving beside the copy).
 * A failed check undoes what the rehearsal started.
 */
import type { Job, JobTarget } from '../../shared/job.ts';
import type { Plan } from '../../shared/plan.ts';
import { sealPlan } from '../plans/plan-id.ts';
import { agentCommand } from '../provision/host-layout.ts';
import { pointTime } from './plan.ts';


/** `point`: rehearse on this point (null: the newest); a rehearsal holds and sets aside nothing. */
export function rehearsalPlan(job: Job, target: JobTarget, point: string | null = null): Plan {
  const t = target.name;
  return sealPlan({
    title: `Rehearse a failover to ${t} (${job.name}); ${job.source.name} keeps serving`,
    onFailure: 'undo',
    steps: [
      { kind: 'command', host: t, description: point ? `bring up a writable copy of the point taken ${pointTime(point)} (${point}) on ${t} (its idle data is kept aside)` : `bring up a writable copy of the newest point on ${t} (its idle data is kept aside)`,
        command: agentCommand('promote', ...(point ? [point] : []), '--rehearsal'), verify: agentCommand('promoted'), undo: agentCommand('unpromote', '--discard', '--rehearsal') },
      { kind: 'command', host: t, description: `put every message of the copy's mail queue on hold, so nothing the source had queued is delivered twice`, command: agentCommand('hold-queue'), verify: agentCommand('queue-held') },
      { kind: 'command', host: t, description: `start ${job.failover.services.join(', ')} on the copy`, command: agentCommand('serve', '--rehearsal'), verify: agentCommand('serving'), undo: agentCommand('unserve', '--rehearsal') },
      { kind: 'command', host: t, description: 'check that the services answer and that a mailbox of the copy can be read', command: agentCommand('rehearsal-check') },
      { kind: 'command', host: t, description: `stop the services on ${t} again`, command: agentCommand('unserve', '--rehearsal'), verify: `! ${agentCommand('serving')} >/dev/null` },
      { kind: 'command', host: t, description: `discard the copy and put ${t}'s idle data back`, command: agentCommand('unpromote', '--discard', '--rehearsal'), verify: `! ${agentCommand('promoted')} >/dev/null` },
    ],
  });
}
