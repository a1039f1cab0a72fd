/**
 * The plan journal: one JSON-lines file per run in the app's data folder, written (and
 * flushed to disk) before each step and after its verification, so that a run cut short
 * (app killed, host rebooted, connection lost) is found and finished by the next start.
 * Never holds a secret: plans are data without credentials, snapshots are directory values.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { InterruptedRun, Plan, PlanOutcome } from '../../shared/plan.ts';

export type JournalRecord =
  | { t: 'run'; runId: string; at: string; plans: Plan[]; hosts: string[]; origin?: string }
  | { t: 'step-start'; planId: string; index: number; at: string; snapshot?: unknown }
  | { t: 'step-done'; planId: string; index: number; at: string; output: string; earlier?: boolean }
  | { t: 'step-failed'; planId: string; index: number; at: string; output: string }
  | { t: 'undo-start'; planId: string; index: number; at: string }
  | { t: 'undo-done'; planId: string; index: number; at: string; output: string; ok: boolean }
  | { t: 'plan-end'; planId: string; at: string; outcome: PlanOutcome; error?: string }
  | { t: 'resumed'; at: string }
  | { t: 'end'; at: string };

type Body<R> = R extends { at: string } ? Omit<R, 'at'> : never;

/** The origin of a run made without one (tests, tools): it matches only another such run. */
export const UNATTRIBUTED = 'unattributed';

/** The origin of a job's runs (protect, failover, failback, rehearsal, unprotect), in the app and in the agent. */
export const jobOrigin = (jobId: string) => `job:${jobId}`;

/** The origin of a pre-flight's fixes: the servers it was run on. */
export const preflightOrigin = (hosts: readonly string[]) => `preflight:${[...hosts].map((h) => h.toLowerCase()).sort().join(',')}`;

export class Journal {
  readonly runId: string;
  readonly file: string;
  constructor(file: string, runId: string) {
    this.file = file;
    this.runId = runId;
  }

  /**
   * Starts the journal of a new run; the plans are written first, before anything changes.
   * `origin` says whose run it is (`job:<id>`, `preflight:<hosts>`): only a run of the same origin finishes it.
   */
  static create(dir: string, plans: Plan[], hosts: string[], origin = UNATTRIBUTED): Journal {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
    const j = new Journal(join(dir, `${runId}.jsonl`), runId);
    j.write({ t: 'run', runId, plans, hosts, origin });
    return j;
  }

  /** Appends one record and flushes it to disk before returning. */
  write(r: Body<JournalRecord>): void {
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ ...r, at: new Date().toISOString() })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Reads a journal; a torn last line (the process died while writing it) is ignored. */
export function readJournal(file: string): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      break;
    }
  }
  return out;
}

export interface OpenRun { journal: Journal; records: JournalRecord[]; summary: InterruptedRun }

/** Every run in the folder that has no end record, oldest first. */
export function findInterrupted(dir: string): OpenRun[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const records = readJournal(join(dir, n));
    const head = records[0];
    if (!head || head.t !== 'run' || records.some((r) => r.t === 'end')) return [];
    const done = (planId: string) => new Set(records.flatMap((r) => (r.t === 'step-done' && r.planId === planId ? [r.index] : []))).size;
    return [{
      journal: new Journal(join(dir, n), head.runId), records,
      summary: { runId: head.runId, startedAt: head.at, hosts: head.hosts, origin: head.origin ?? null, plans: head.plans.map((p) => ({ planId: p.id, title: p.title, stepsDone: done(p.id), steps: p.steps.length })) },
    }];
  });
}
