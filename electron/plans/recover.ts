/** At the start of a run that applies plans: find runs the journal shows unfinished, and resume (or roll back) those whose hosts this run can reach. */
import type { RecoveredRun } from '../../shared/preflight.ts';
import { findInterrupted } from './journal.ts';
import { resumeRun, rollbackRun, type RunOptions } from './engine.ts';
import type { PlanContext } from './executors.ts';

/** What to do with a run cut short: finish it (the default: the person consented to it whole) or put back everything it did. */
export type RecoveryMode = 'resume' | 'rollback';

export async function recoverInterrupted(dir: string, ctx: (PlanContext & { names: string[] }) | null, o: RunOptions & { mode?: RecoveryMode } = {}): Promise<RecoveredRun[]> {
  const out: RecoveredRun[] = [];
  for (const open of findInterrupted(dir)) {
    const missing = open.summary.hosts.filter((h) => !ctx?.names.includes(h));
    if (!ctx || missing.length) {
      out.push({ run: open.summary, waiting: ctx
        ? `It is resumed by the next run that applies changes with ${missing.join(', ')}.`
        : 'It is resumed by the next run that applies changes on its servers.' });
      continue;
    }
    out.push({ run: open.summary, results: await (o.mode === 'rollback' ? rollbackRun : resumeRun)(open, ctx, o) });
  }
  return out;
}
