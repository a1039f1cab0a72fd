/**
 * When a job rehearses by itself: off until a person chooses, weekly by default once chosen
 * (a day and a time), or daily. Times are the local time of the computer that runs the
 * schedule (the desktop app, `failguard serve`, or `failguard rehearse --if-due` from cron).
 * A slot is due once its time has passed with no rehearsal since; overdue once it has
 * waited longer than an hour (nothing ran it: the app was closed, the timer not installed).
 */
import { z } from 'zod';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = typeof WEEKDAYS[number];

export const rehearsalScheduleSchema = z.strictObject({
  every: z.enum(['off', 'day', 'week']).default('off'),
  /** The day of a weekly rehearsal. */
  weekday: z.enum(WEEKDAYS).default('sun'),
  /** Local time, HH:MM (24 h). */
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'not a time of day (HH:MM, 24 hours)').default('03:00'),
  /** The standby rehearsed (absent: the job's first target). */
  target: z.string().min(1).max(255).optional(),
});
export type RehearsalSchedule = z.infer<typeof rehearsalScheduleSchema>;

/** How long a slot may wait for its rehearsal before it is flagged overdue. */
export const OVERDUE_AFTER_MS = 60 * 60 * 1000;

/** The latest slot at or before `now` (null: off). */
export function lastSlot(s: RehearsalSchedule, now: Date): Date | null {
  return s.every === 'off' ? null : slotsAround(s, now).filter((d) => d.getTime() <= now.getTime()).at(-1) ?? null;
}

/** The first slot after `now` (null: off). */
export function nextSlot(s: RehearsalSchedule, now: Date): Date | null {
  return s.every === 'off' ? null : slotsAround(s, now).find((d) => d.getTime() > now.getTime()) ?? null;
}

/**
 * The slots from eight days before `now` to eight after, oldest first. Each is made from its own
 * calendar day and the time of day, so a daylight-saving change moves only the slot of that day
 * (a time in the skipped hour falls an hour later that day, and on no other).
 */
function slotsAround(s: RehearsalSchedule, now: Date): Date[] {
  const [h, m] = s.time.split(':').map(Number) as [number, number];
  const out: Date[] = [];
  for (let d = -8; d <= 8; d++) {
    const slot = new Date(now.getFullYear(), now.getMonth(), now.getDate() + d, h, m, 0, 0);
    if (s.every === 'week' && new Date(now.getFullYear(), now.getMonth(), now.getDate() + d).getDay() !== WEEKDAYS.indexOf(s.weekday)) continue;
    out.push(slot);
  }
  return out;
}

export interface RehearsalDue {
  /** The slot waiting for a rehearsal (null: none waits). */
  dueSince: string | null;
  overdue: boolean;
  next: string | null;
}

/**
 * Whether a rehearsal is due: the latest slot passed after the schedule was set (`since`, the
 * job's save) and after the last rehearsal began. Any rehearsal counts, a person's too.
 */
export function rehearsalDue(s: RehearsalSchedule, now: Date, since: Date, lastRehearsal: Date | null): RehearsalDue {
  const slot = lastSlot(s, now);
  const next = nextSlot(s, now)?.toISOString() ?? null;
  if (!slot || slot.getTime() < since.getTime() || (lastRehearsal && lastRehearsal.getTime() >= slot.getTime())) return { dueSince: null, overdue: false, next };
  return { dueSince: slot.toISOString(), overdue: now.getTime() - slot.getTime() > OVERDUE_AFTER_MS, next };
}

/** In words for the wizard and the start page: "every Sunday at 03:00". */
export function scheduleWords(s: RehearsalSchedule): string {
  const day: Record<Weekday, string> = { sun: 'Sunday', mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday' };
  if (s.every === 'off') return 'not scheduled';
  return s.every === 'day' ? `every day at ${s.time}` : `every ${day[s.weekday]} at ${s.time}`;
}
