/**
 * Step 3: the options of each target, as the person edits them (text fields stay text until
 * checked). They are checked with the job's own schema, so the wizard and a job file agree
 * on what is valid; whether step 4 opens is derived from that check.
 */
import type { StateCreator } from 'zustand';
import { targetOptionsSchema, type Compression, type TargetOptions } from '../../../shared/job.ts';
import { scheduleText } from '../../../shared/schedule.ts';
import { issueField } from '../../../shared/schemas.ts';
import type { Store } from './index.ts';
import { checkFailover } from './failover-options.ts';
import { checkAlerts } from './alert-options.ts';
import { checkHealth } from './health-options.ts';

export interface TargetDraft {
  sourceAddress: string;
  targetAddress: string;
  compression: Compression;
  /** Bytes per second for each hour of the week (Monday 00:00 first); null = unlimited. */
  limits: Array<number | null>;
  intervalSeconds: string;
  retentionLast: string;
  retentionHourly: string;
  retentionDaily: string;
}

export const defaultDraft = (): TargetDraft => ({
  sourceAddress: '', targetAddress: '', compression: 'fast', limits: Array<number | null>(168).fill(null),
  intervalSeconds: '1', retentionLast: '60', retentionHourly: '24', retentionDaily: '7',
});

export interface OptionsSlice {
  jobName: string;
  /** Drafts by target name; a target without one uses the defaults. */
  drafts: Record<string, TargetDraft>;
  setJobName(name: string): void;
  setDraft(target: string, patch: Partial<TargetDraft>): void;
  /** Sets the limit of some hours of the week (the grid's painting). */
  paint(target: string, slots: number[], bytesPerSecond: number | null): void;
}

export const createOptionsSlice: StateCreator<Store, [], [], OptionsSlice> = (set, get) => ({
  jobName: '',
  drafts: {},
  setJobName(jobName) { set({ jobName }); },
  setDraft(target, patch) {
    set({ drafts: { ...get().drafts, [target]: { ...(get().drafts[target] ?? defaultDraft()), ...patch } } });
  },
  paint(target, slots, value) {
    const d = get().drafts[target] ?? defaultDraft();
    const limits = [...d.limits];
    for (const s of slots) if (s >= 0 && s < 168) limits[s] = value;
    get().setDraft(target, { limits });
  },
});

export const draftOf = (s: Store, target: string): TargetDraft => s.drafts[target] ?? defaultDraft();

const num = (x: string) => (x.trim() === '' ? Number.NaN : Number(x));

/** A draft as the job's target options, or the problems with it (field → plain words). */
export function checkDraft(d: TargetDraft): { ok: true; options: TargetOptions } | { ok: false; problems: Record<string, string> } {
  const input = {
    path: { ...(d.sourceAddress.trim() ? { sourceAddress: d.sourceAddress.trim() } : {}), ...(d.targetAddress.trim() ? { targetAddress: d.targetAddress.trim() } : {}) },
    compression: d.compression,
    schedule: scheduleText(d.limits),
    intervalSeconds: num(d.intervalSeconds),
    retention: { last: num(d.retentionLast), hourlyForHours: num(d.retentionHourly), dailyForDays: num(d.retentionDaily) },
  };
  const r = targetOptionsSchema.safeParse(input);
  if (r.success) return { ok: true, options: r.data };
  const problems: Record<string, string> = {};
  for (const i of r.error.issues) problems[issueField(i)] ??= i.message.replace(/^Invalid input: expected number, received NaN$/, 'give a number');
  return { ok: false, problems };
}

/** Every chosen target's options and the failover choices are valid. */
export function optionsValid(s: Store): boolean {
  return s.targets.length > 0 && s.targets.every((t) => checkDraft(draftOf(s, t)).ok) && checkFailover(s.failoverDraft).ok && checkAlerts(s.alertDrafts).ok && checkHealth(s.healthDraft).ok;
}

/** The name the job is saved under: the person's, or one made from the servers. */
export const jobNameOf = (s: Store): string => s.jobName.trim() || `${s.source ?? 'Server'} protection`;
