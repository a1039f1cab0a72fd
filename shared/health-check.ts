/**
 * A job's health as monitoring systems read it (`failguard status --check`): the Nagios/Icinga
 * plugin convention — exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; one summary line; performance
 * data after `|` (`'label'=value[unit];warn;crit;min;max`). Judged from the replication view of
 * now and the job's thresholds (a standby's own over the job's). Pure: no I/O.
 */
import type { Job } from './job.ts';
import type { ReplicationView, TargetView } from './replication.ts';

export const CHECK_STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export type CheckState = (typeof CHECK_STATES)[number];
/** The plugin's exit code for a state. */
export const checkExitCode = (s: CheckState): 0 | 1 | 2 | 3 => CHECK_STATES.indexOf(s) as 0 | 1 | 2 | 3;

export interface TargetCheck { target: string; state: CheckState; why: string; rpoSeconds: number | null; warn: number; crit: number }
export interface HealthCheck { state: CheckState; targets: TargetCheck[]; line: string }

/** The thresholds that apply to one standby. */
export function thresholdsOf(job: Job, target: string): { warn: number; crit: number } {
  const own = job.targets.find((t) => t.name === target)?.options.health;
  return { warn: own?.rpoWarnSeconds ?? job.health.rpoWarnSeconds, crit: own?.rpoCriticalSeconds ?? job.health.rpoCriticalSeconds };
}

const worst = (states: readonly CheckState[]): CheckState => {
  // UNKNOWN is below CRITICAL in urgency but above WARNING and OK (what cannot be read may be broken).
  const rank: Record<CheckState, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };
  return states.reduce<CheckState>((a, b) => (rank[b] > rank[a] ? b : a), 'OK');
};

/** An age as people say it: seconds under two minutes, then minutes, then hours. */
export const ageText = (s: number) => (s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);
/** A measured duration: tenths of a second below two minutes (a step, a time to service), else as an age. */
export const durationText = (s: number) => (s < 120 ? `${s.toFixed(1)} s` : ageText(s));

function judge(job: Job, t: TargetView): TargetCheck {
  const { warn, crit } = thresholdsOf(job, t.target);
  const base = { target: t.target, rpoSeconds: t.rpoSeconds, warn, crit };
  if (t.phase === 'no-agent') return { ...base, state: 'UNKNOWN', why: `${t.target}: the agents cannot be read${t.lastError ? ` (${t.lastError})` : ''}` };
  // A volume of points nearly full is critical whatever the RPO says now: points stop arriving when it is full.
  const v = t.volume;
  if (v && v.totalBytes > 0 && (v.freeBytes / v.totalBytes) * 100 < job.health.minFreePercent) {
    return { ...base, state: 'CRITICAL', why: `${t.target}: its volume of points has ${((v.freeBytes / v.totalBytes) * 100).toFixed(1)}% free (critical under ${job.health.minFreePercent}%)` };
  }
  // A send that fails is at least a warning; how late the standby is says whether it is critical (a blip is not).
  const failing = t.phase === 'error' ? `; sends fail: ${t.lastError ?? 'no reason given'}` : '';
  if (failing && (t.rpoSeconds === null || t.rpoSeconds < warn)) return { ...base, state: 'WARNING', why: `${t.target}${t.rpoSeconds === null ? ': no point yet' : `: newest point ${ageText(t.rpoSeconds)} old`}${failing}` };
  if (t.rpoSeconds === null) {
    return { ...base, state: 'WARNING', why: t.phase === 'initial-sync' ? `${t.target}: initial sync${t.initialSync?.share !== null && t.initialSync?.share !== undefined ? ` ${Math.round(t.initialSync.share * 100)}%` : ''}, no point yet` : `${t.target}: no point yet` };
  }
  const age = `${t.target}: newest point ${ageText(t.rpoSeconds)} old`;
  if (t.rpoSeconds >= crit) return { ...base, state: 'CRITICAL', why: `${age} (critical at ${ageText(crit)})${failing}` };
  if (t.rpoSeconds >= warn) return { ...base, state: 'WARNING', why: `${age} (warning at ${ageText(warn)})${failing}` };
  return { ...base, state: 'OK', why: age };
}

/** Performance data: each standby's RPO in seconds with its thresholds, and its number of points. */
function perfData(checks: readonly TargetCheck[], view: ReplicationView): string {
  const label = (s: string) => `'${s.replace(/'/g, '')}'`;
  return checks.flatMap((c) => {
    const t = view.targets.find((x) => x.target === c.target);
    return [`${label(`rpo_${c.target}`)}=${c.rpoSeconds === null ? 'U' : `${c.rpoSeconds.toFixed(1)}s`};${c.warn};${c.crit};0;`, `${label(`points_${c.target}`)}=${t?.points ?? 0};;;0;`];
  }).join(' ');
}

export function healthCheck(job: Job, view: ReplicationView): HealthCheck {
  const targets = view.targets.map((t) => judge(job, t));
  const state = worst(targets.map((t) => t.state));
  const shown = state === 'OK' ? targets : targets.filter((t) => t.state !== 'OK');
  const line = `FAILGUARD ${state} - ${job.name}: ${shown.map((t) => t.why).join('; ')} | ${perfData(targets, view)}`;
  return { state, targets, line: line.replace(/[\r\n]+/g, ' ') };
}
