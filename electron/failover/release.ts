/** Letting the retention have held points again (the CLI's `release`, the dashboard's "Release held points"): one verified step on the standby. */
import type { Job, JobTarget } from '../../shared/job.ts';
import type { Plan } from '../../shared/plan.ts';
import { parsePoint } from '../../shared/points.ts';
import { UserError } from '../../shared/errors.ts';
import { sealPlan } from '../plans/plan-id.ts';
import { agentCommand } from '../provision/host-layout.ts';

/** `points`: the held points by name, or every one held on that standby. */
export function releasePlan(job: Job, target: JobTarget, points: string[] | 'all'): Plan {
  const all = points === 'all';
  if (!all && !points.length) throw new UserError('bad-input', 'Say which held points to release, or release them all.', { field: 'point' });
  const bad = all ? undefined : points.find((p) => !parsePoint(p));
  if (bad !== undefined) throw new UserError('bad-input', `${JSON.stringify(bad)} is not a point's name; copy it from \`failguard points\`.`, { field: 'point' });
  const what = all ? 'every held point' : points.join(', ');
  return sealPlan({
    title: `Release ${all ? 'every held point' : `${points.length} held point${points.length === 1 ? '' : 's'}`} on ${target.name} (${job.name})`,
    onFailure: 'stop',
    steps: [{ kind: 'command', host: target.name, description: `let the retention prune ${what} on ${target.name} again (a point pruned is gone for good)`, command: agentCommand('release', ...(all ? ['--all'] : points)) }],
  });
}
