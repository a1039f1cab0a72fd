/**
 * Step 3's health choices as the person edits them: the ages of a standby's newest point that
 * are a warning, then critical (alerted, shown on the dashboard, answered by `status --check`),
 * the folder the agents write their metrics to for Prometheus, and when the job rehearses a
 * failover by itself (off until chosen; weekly once chosen). Checked with the job's own schemas,
 * so the wizard and a job file agree.
 */
import type { StateCreator } from 'zustand';
import { z } from 'zod';
import { healthSchema, jobSchema, type Job } from '../../../shared/job.ts';
import { rehearsalScheduleSchema, type RehearsalSchedule, type Weekday } from '../../../shared/rehearsal-schedule.ts';
import { issueField } from '../../../shared/schemas.ts';
import type { Store } from './index.ts';

export interface HealthDraft {
  rpoWarnSeconds: string; rpoCriticalSeconds: string; metricsDir: string;
  noSendMinutes: string; syncStallMinutes: string; minFreePercent: string;
  rehearseEvery: RehearsalSchedule['every']; rehearseWeekday: Weekday; rehearseTime: string;
  /** Kept as the job had it (the first target when absent); not edited here. */
  rehearseTarget?: string;
}

export const defaultHealthDraft = (): HealthDraft => ({ rpoWarnSeconds: '30', rpoCriticalSeconds: '300', metricsDir: '/var/lib/prometheus/node-exporter', noSendMinutes: '10', syncStallMinutes: '10', minFreePercent: '5', rehearseEvery: 'off', rehearseWeekday: 'sun', rehearseTime: '03:00' });

export const healthDraftOf = (job: Pick<Job, 'health' | 'metrics' | 'rehearsals'>): HealthDraft => ({
  rpoWarnSeconds: String(job.health.rpoWarnSeconds), rpoCriticalSeconds: String(job.health.rpoCriticalSeconds), metricsDir: job.metrics.textfileDir ?? '',
  noSendMinutes: String(job.health.noSendMinutes), syncStallMinutes: String(job.health.syncStallMinutes), minFreePercent: String(job.health.minFreePercent),
  rehearseEvery: job.rehearsals.every, rehearseWeekday: job.rehearsals.weekday, rehearseTime: job.rehearsals.time, ...(job.rehearsals.target ? { rehearseTarget: job.rehearsals.target } : {}),
});

export interface HealthOptionsSlice {
  healthDraft: HealthDraft;
  setHealthDraft(patch: Partial<HealthDraft>): void;
}

export const createHealthOptionsSlice: StateCreator<Store, [], [], HealthOptionsSlice> = (set, get) => ({
  healthDraft: defaultHealthDraft(),
  setHealthDraft(patch) { set({ healthDraft: { ...get().healthDraft, ...patch } }); },
});

const num = (x: string) => (x.trim() === '' ? Number.NaN : Number(x));
const metricsSchema = jobSchema.shape.metrics;

/** The draft as the job's `health` and `metrics`, or the problems (field → plain words). */
export function checkHealth(d: HealthDraft): { ok: true; health: z.output<typeof healthSchema>; metrics: Job['metrics']; rehearsals: RehearsalSchedule } | { ok: false; problems: Record<string, string> } {
  const h = healthSchema.safeParse({ rpoWarnSeconds: num(d.rpoWarnSeconds), rpoCriticalSeconds: num(d.rpoCriticalSeconds), noSendMinutes: num(d.noSendMinutes), syncStallMinutes: num(d.syncStallMinutes), minFreePercent: num(d.minFreePercent) });
  const m = metricsSchema.safeParse({ textfileDir: d.metricsDir.trim() || null });
  const r = rehearsalScheduleSchema.safeParse({ every: d.rehearseEvery, weekday: d.rehearseWeekday, time: d.rehearseTime.trim(), ...(d.rehearseTarget ? { target: d.rehearseTarget } : {}) });
  if (h.success && m.success && r.success) return { ok: true, health: h.data, metrics: m.data, rehearsals: r.data };
  const problems: Record<string, string> = {};
  for (const i of h.success ? [] : h.error.issues) problems[issueField(i)] ??= i.message.replace(/^Invalid input: expected number, received NaN$/, issueField(i).endsWith('Seconds') ? 'give a number of seconds' : issueField(i).endsWith('Minutes') ? 'give a number of minutes' : 'give a number');
  for (const i of m.success ? [] : m.error.issues) problems.metricsDir ??= i.message;
  for (const i of r.success ? [] : r.error.issues) problems.rehearseTime ??= i.message;
  return { ok: false, problems };
}
