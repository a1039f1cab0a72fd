/**
 * The one plan engine: every plan (pre-flight fixes today; provisioning, failover and
 * failback next) runs here, step by step, each step journaled before it runs and after
 * its verification. A failed step undoes the steps before it or stops for a person, as
 * the plan declares. A run the journal shows unfinished is resumed from where it stopped.
 */
import { describeStep, stepHost, type Plan, type PlanRunResult, type StepRecord } from '../../shared/plan.ts';
import { plainMessage } from '../../shared/errors.ts';
import { executorFor, StepFailed, type PlanContext } from './executors.ts';
import { Journal, type JournalRecord, type OpenRun } from './journal.ts';
import type { StepProgress } from '../../shared/operation.ts';

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (stage: string) => void;
  /** Each step as it starts and ends (and as it is undone). */
  onStep?: (s: StepProgress) => void;
}

interface Progress { verified: number[]; inFlight?: { index: number; snapshot: unknown }; snapshots: Map<number, unknown> }

const now = () => new Date().toISOString();
const record = (plan: Plan, index: number, status: StepRecord['status'], output: string, startedMs?: number): StepRecord => {
  const v = describeStep(plan.steps[index]!);
  return { index, where: v.where, action: status === 'undone' || status === 'undo-failed' ? v.undo : v.action, status, output, at: now(), ...(startedMs === undefined ? {} : { ms: Date.now() - startedMs }) };
};

/** Undoes the given steps newest first; false when one could not be undone (the plan then waits for a person). */
async function undoSteps(plan: Plan, indices: number[], snapshots: Map<number, unknown>, ctx: PlanContext, journal: Journal, raw: StepRecord[], onStep?: RunOptions['onStep']): Promise<boolean> {
  let allOk = true;
  const out = { push: (r: StepRecord) => { raw.push(r); onStep?.({ planId: plan.id, index: r.index, status: r.status }); } };
  for (const i of [...indices].sort((a, b) => b - a)) {
    const step = plan.steps[i]!;
    const ex = executorFor(step);
    if (!ex.canUndo(step)) continue;
    journal.write({ t: 'undo-start', planId: plan.id, index: i });
    try {
      const output = await ex.undo(step, ctx, snapshots.get(i));
      journal.write({ t: 'undo-done', planId: plan.id, index: i, output, ok: true });
      out.push(record(plan, i, 'undone', output));
    } catch (e) {
      allOk = false;
      const output = plainMessage(e);
      journal.write({ t: 'undo-done', planId: plan.id, index: i, output, ok: false });
      out.push(record(plan, i, 'undo-failed', output));
    }
  }
  return allOk;
}

async function execute(plan: Plan, ctx: PlanContext, journal: Journal, from: Progress, onStep?: RunOptions['onStep']): Promise<PlanRunResult> {
  const recorded: StepRecord[] = [];
  const steps = { push: (r: StepRecord) => { recorded.push(r); onStep?.({ planId: plan.id, index: r.index, status: r.status }); } };
  const snapshots = new Map(from.snapshots);
  const done = [...from.verified];
  const end = (r: Omit<PlanRunResult, 'planId' | 'title' | 'steps'>): PlanRunResult => {
    journal.write({ t: 'plan-end', planId: plan.id, outcome: r.outcome, ...(r.error ? { error: r.error } : {}) });
    return { planId: plan.id, title: plan.title, steps: recorded, ...r };
  };
  for (let i = 0; i < plan.steps.length; i++) {
    if (done.includes(i)) continue;
    const step = plan.steps[i]!;
    const ex = executorFor(step);
    const startedMs = Date.now();
    onStep?.({ planId: plan.id, index: i, status: 'running' });
    let before: { snapshot: unknown; fresh: boolean };
    try {
      if (from.inFlight?.index === i) {
        // Cut short while this step ran: if its effect is in place it counts as done; otherwise it runs again.
        snapshots.set(i, from.inFlight.snapshot);
        before = { snapshot: from.inFlight.snapshot, fresh: false };
        if ((await ex.verify(step, ctx)) === true) {
          journal.write({ t: 'step-done', planId: plan.id, index: i, output: 'verified after the interruption', earlier: true });
          steps.push(record(plan, i, 'verified-earlier', 'its effect was already in place', startedMs));
          done.push(i);
          continue;
        }
      } else {
        const snapshot = await ex.snapshot(step, ctx);
        snapshots.set(i, snapshot);
        before = { snapshot, fresh: true };
        journal.write({ t: 'step-start', planId: plan.id, index: i, ...(snapshot === null ? {} : { snapshot }) });
      }
      if (ctx.signal?.aborted) throw new StepFailed('cancelled before it ran');
      const output = await ex.apply(step, ctx, before);
      if ((await ex.verify(step, ctx)) === false) throw new StepFailed('it ran, but its effect is not in place');
      journal.write({ t: 'step-done', planId: plan.id, index: i, output });
      steps.push(record(plan, i, 'applied', output, startedMs));
      done.push(i);
    } catch (e) {
      const why = plainMessage(e);
      journal.write({ t: 'step-failed', planId: plan.id, index: i, output: why });
      steps.push(record(plan, i, 'failed', why, startedMs));
      const what = `"${describeStep(step).action}" failed on ${stepHost(step)} (${why})`;
      if (plan.onFailure === 'stop') return end({ outcome: 'stopped', error: `${what}; the plan stopped there for a person to decide.` });
      const undone = await undoSteps(plan, done, snapshots, ctx, journal, recorded, onStep);
      return undone
        ? end({ outcome: 'undone', error: `${what}; ${done.length ? 'the steps before it were undone' : 'nothing had changed before it'}.` })
        : end({ outcome: 'stopped', error: `${what}, and a step before it could not be undone; see the journal ${journal.runId} and put it right by hand.` });
    }
  }
  return end({ outcome: 'applied' });
}

/** Runs plans one after another in a new journal; a cancel stops between plans (a plan is applied or undone whole). */
export async function runPlans(plans: Plan[], ctx: PlanContext, journal: Journal, o: RunOptions = {}): Promise<PlanRunResult[]> {
  const results: PlanRunResult[] = [];
  for (const [i, p] of plans.entries()) {
    if (o.signal?.aborted) {
      journal.write({ t: 'plan-end', planId: p.id, outcome: 'cancelled' });
      results.push({ planId: p.id, title: p.title, outcome: 'cancelled', error: 'Cancelled before it started; nothing of it was changed.', steps: [] });
      continue;
    }
    o.onProgress?.(`Plan ${i + 1} of ${plans.length}: ${p.title}`);
    results.push(await execute(p, ctx, journal, { verified: [], snapshots: new Map() }, o.onStep));
  }
  journal.write({ t: 'end' });
  return results;
}

/** Where each plan of a journal stands, from its records. */
function progressOf(plan: Plan, records: JournalRecord[]) {
  const mine = records.filter((r): r is Extract<JournalRecord, { planId: string }> => 'planId' in r && r.planId === plan.id);
  const snapshots = new Map<number, unknown>();
  for (const r of mine) if (r.t === 'step-start') snapshots.set(r.index, r.snapshot ?? null);
  const verified = [...new Set(mine.flatMap((r) => (r.t === 'step-done' ? [r.index] : [])))];
  const started = mine.flatMap((r) => (r.t === 'step-start' ? [r.index] : [])).filter((i) => !verified.includes(i));
  const undone = mine.flatMap((r) => (r.t === 'undo-done' && r.ok ? [r.index] : []));
  return {
    ended: mine.find((r) => r.t === 'plan-end') as Extract<JournalRecord, { t: 'plan-end' }> | undefined,
    failed: mine.some((r) => r.t === 'step-failed'),
    verified, undone, snapshots,
    inFlight: started.length ? { index: started.at(-1)!, snapshot: snapshots.get(started.at(-1)!) ?? null } : undefined,
  };
}

/** Finishes a run that was cut short: plans already ended are reported as they ended; the rest resume from their journal. */
export async function resumeRun(open: OpenRun, ctx: PlanContext, o: RunOptions = {}): Promise<PlanRunResult[]> {
  const head = open.records[0] as Extract<JournalRecord, { t: 'run' }>;
  open.journal.write({ t: 'resumed' });
  const results: PlanRunResult[] = [];
  for (const plan of head.plans) {
    const p = progressOf(plan, open.records);
    if (p.ended) {
      results.push({ planId: plan.id, title: plan.title, outcome: p.ended.outcome, ...(p.ended.error ? { error: p.ended.error } : {}), steps: [] });
      continue;
    }
    o.onProgress?.(`Resuming: ${plan.title}`);
    if (p.failed) {
      // It was cut short while undoing after a failure: finish the undo.
      const steps: StepRecord[] = [];
      const ok = await undoSteps(plan, p.verified.filter((i) => !p.undone.includes(i)), p.snapshots, ctx, open.journal, steps);
      const outcome = ok ? 'undone' as const : 'stopped' as const;
      const error = ok ? 'A step had failed before the interruption; the steps before it are now undone.' : 'A step had failed before the interruption and a step before it could not be undone; put it right by hand.';
      open.journal.write({ t: 'plan-end', planId: plan.id, outcome, error });
      results.push({ planId: plan.id, title: plan.title, outcome, error, steps });
      continue;
    }
    results.push(await execute(plan, ctx, open.journal, { verified: p.verified, snapshots: p.snapshots, ...(p.inFlight ? { inFlight: p.inFlight } : {}) }, o.onStep));
  }
  open.journal.write({ t: 'end' });
  return results;
}

/** Rolls back a run that was cut short: every step it verified (and the step cut short, if its effect is in place) is undone, newest first. */
export async function rollbackRun(open: OpenRun, ctx: PlanContext, o: RunOptions = {}): Promise<PlanRunResult[]> {
  const head = open.records[0] as Extract<JournalRecord, { t: 'run' }>;
  open.journal.write({ t: 'resumed' });
  const results: PlanRunResult[] = [];
  for (const plan of [...head.plans].reverse()) {
    const p = progressOf(plan, open.records);
    if (p.ended && p.ended.outcome !== 'applied') {
      results.unshift({ planId: plan.id, title: plan.title, outcome: p.ended.outcome, ...(p.ended.error ? { error: p.ended.error } : {}), steps: [] });
      continue;
    }
    o.onProgress?.(`Rolling back: ${plan.title}`);
    const steps: StepRecord[] = [];
    const toUndo = p.verified.filter((i) => !p.undone.includes(i));
    let unknown: number | null = null;
    if (p.inFlight) {
      const applied = await executorFor(plan.steps[p.inFlight.index]!).verify(plan.steps[p.inFlight.index]!, ctx).catch(() => null);
      if (applied === true) toUndo.push(p.inFlight.index);
      else if (applied === null) unknown = p.inFlight.index;
    }
    const ok = await undoSteps(plan, toUndo, p.snapshots, ctx, open.journal, steps);
    const cut = unknown === null ? '' : ` The step cut short ("${describeStep(plan.steps[unknown]!).action}" on ${stepHost(plan.steps[unknown]!)}) cannot tell whether it ran; check it by hand.`;
    const outcome = ok && unknown === null ? 'undone' as const : 'stopped' as const;
    const error = ok ? `Rolled back after the interruption.${cut}` : `Rolled back after the interruption, but a step could not be undone; put it right by hand.${cut}`;
    open.journal.write({ t: 'plan-end', planId: plan.id, outcome, error });
    results.unshift({ planId: plan.id, title: plan.title, outcome, error, steps });
  }
  open.journal.write({ t: 'end' });
  return results;
}
