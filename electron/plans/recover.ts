/** At the start of a run that applies plans: find runs the journal shows unfinished, and resume (or roll back) those whose hosts this run can reach. */
import type { RecoveredRun } from '../../shared/preflight.ts';
import { findInterrupted, UNATTRIBUTED } from './journal.ts';
import { resumeRun, rollbackRun, type RunOptions } from './engine.ts';
import type { PlanContext } from './executors.ts';

/** What to do with a run cut short: finish it (the default: the person consented to it whole) or put back everything it did. */
export type RecoveryMode = 'resume' | 'rollback';

export async function recoverInterrupted(dir: string, ctx: (PlanContext & { names: string[] }) | null, o: RunOptions & { mode?: RecoveryMode; origin?: string } = {}): Promise<RecoveredRun[]> {
  const out: RecoveredRun[] = [];
  const origin = o.origin ?? UNATTRIBUTED;
  for (const open of findInterrupted(dir)) {
    // Only a run of the same job (or the same pre-flight's servers) finishes it: another only says it is there.
    if (open.summary.origin !== origin) {
      out.push({ run: open.summary, waiting: `It is finished by the next run of ${describeOrigin(open.summary.origin)} that applies changes.` });
      continue;
    }
    const missing = open.summary.hosts.filter((h) => !ctx?.names.includes(h));
    if (!ctx || missing.length) {
      out.push({ run: open.summary, waiting: ctx
        ? `It is resumed by the next run of the same job or pre-flight that applies changes with ${missing.join(', ')}.`
        : 'It is resumed by the next run of the same job or pre-flight that applies changes on its servers.' });
      continue;
    }
    out.push({ run: open.summary, results: await (o.mode === 'rollback' ? rollbackRun : resumeRun)(open, ctx, o) });
  }
  return out;
}

/** Whose run it was, in words. */
function describeOrigin(origin: string | null): string {
  if (!origin) return 'the job or pre-flight that started it (it does not say which; run it again from there)';
  if (origin.startsWith('job:')) return `the job ${origin.slice(4)}`;
  if (origin.startsWith('preflight:')) return `a pre-flight of ${origin.slice(10).split(',').join(', ')}`;
  return 'the tool that started it';
}
