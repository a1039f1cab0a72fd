/**
 * The bandwidth schedule: a limit for each hour of the week (168 slots, Monday 00:00 first),
 * unlimited by default. People write it as rules, later ones overriding earlier ones:
 *
 *     mon-fri 08-18 20mbit; sat 00-24 100mbit
 *
 * Days: mon tue wed thu fri sat sun, ranges (mon-fri) and lists (sat,sun) or `*`; hours:
 * `HH-HH` (end exclusive, 24 = midnight) or `*`; rate: a number with kbit, mbit or gbit,
 * or `unlimited`. The same text is stored in the job; the agent applies the slot of now.
 */

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

/** Bytes per second for each hour of the week; null = unlimited. */
export type WeeklyLimits = ReadonlyArray<number | null>;

export interface ScheduleRule { days: Day[]; from: number; to: number; bytesPerSecond: number | null }

export type ParsedSchedule = { ok: true; rules: ScheduleRule[]; limits: WeeklyLimits } | { ok: false; error: string };

const UNIT: Record<string, number> = { kbit: 1e3 / 8, mbit: 1e6 / 8, gbit: 1e9 / 8 };

function parseDays(s: string): Day[] | string {
  if (s === '*') return [...DAYS];
  const out = new Set<Day>();
  for (const part of s.split(',')) {
    const [a, b] = part.split('-');
    const i = DAYS.indexOf(a as Day);
    const j = b === undefined ? i : DAYS.indexOf(b as Day);
    if (i < 0 || j < 0) return `"${part}" is not a day or a range of days (mon, tue, … sun, mon-fri)`;
    if (j < i) return `"${part}" runs backwards; write the days in week order (mon-fri)`;
    for (let d = i; d <= j; d++) out.add(DAYS[d]!);
  }
  return [...out];
}

function parseHours(s: string): [number, number] | string {
  if (s === '*') return [0, 24];
  const m = /^(\d{1,2})-(\d{1,2})$/.exec(s);
  if (!m) return `"${s}" is not an hour range (08-18, or * for the whole day)`;
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (from > 23 || to > 24 || to <= from) return `"${s}" is not an hour range from 00 to 24 whose end comes after its start`;
  return [from, to];
}

function parseRate(s: string): number | null | string {
  if (s === 'unlimited') return null;
  const m = /^(\d+(?:\.\d+)?)(kbit|mbit|gbit)$/.exec(s);
  if (!m || Number(m[1]) <= 0) return `"${s}" is not a rate (for example 20mbit, 500kbit, 1gbit or unlimited)`;
  return Math.round(Number(m[1]) * UNIT[m[2]!]!);
}

/** Parses the schedule text; an empty text is unlimited all week. Errors say which rule and what is wrong. */
export function parseSchedule(text: string): ParsedSchedule {
  const rules: ScheduleRule[] = [];
  const parts = text.split(/[;\n]/).map((p) => p.trim().toLowerCase()).filter(Boolean);
  for (const [n, part] of parts.entries()) {
    const words = part.split(/\s+/);
    const where = `rule ${n + 1} ("${part}")`;
    if (words.length !== 3) return { ok: false, error: `${where}: write days, hours and a rate, for example "mon-fri 08-18 20mbit".` };
    const days = parseDays(words[0]!);
    if (typeof days === 'string') return { ok: false, error: `${where}: ${days}.` };
    const hours = parseHours(words[1]!);
    if (typeof hours === 'string') return { ok: false, error: `${where}: ${hours}.` };
    const rate = parseRate(words[2]!);
    if (typeof rate === 'string') return { ok: false, error: `${where}: ${rate}.` };
    rules.push({ days, from: hours[0], to: hours[1], bytesPerSecond: rate });
  }
  const limits: Array<number | null> = Array(168).fill(null);
  for (const r of rules) for (const d of r.days) for (let h = r.from; h < r.to; h++) limits[DAYS.indexOf(d) * 24 + h] = r.bytesPerSecond;
  return { ok: true, rules, limits };
}

/** The slot of the week a moment falls in, in the local time of the host that applies it (Monday 00:00 = 0). */
export function weekSlot(d: Date): number {
  return ((d.getDay() + 6) % 7) * 24 + d.getHours();
}

/** The limit in force at a moment (bytes per second, null = unlimited). */
export function limitAt(limits: WeeklyLimits, d: Date): number | null {
  return limits[weekSlot(d)] ?? null;
}

/** A rate as the schedule writes it: whole mbit where it can, else kbit. */
export function rateText(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null) return 'unlimited';
  const bits = bytesPerSecond * 8;
  if (bits >= 1e9 && bits % 1e9 === 0) return `${bits / 1e9}gbit`;
  if (bits >= 1e6 && bits % 1e6 === 0) return `${bits / 1e6}mbit`;
  return `${Math.max(1, Math.round(bits / 1e3))}kbit`;
}

/**
 * The shortest rule text for 168 hourly limits (the wizard's painted grid): each day's runs
 * of one limit become `day HH-HH rate`, and days with the same runs share one rule
 * (`mon-fri 08-18 20mbit`). `parseSchedule(scheduleText(x)).limits` gives back x.
 */
export function scheduleText(limits: WeeklyLimits): string {
  const runs = new Map<string, number[]>();
  for (let d = 0; d < 7; d++) {
    let h = 0;
    while (h < 24) {
      const v = limits[d * 24 + h] ?? null;
      let end = h + 1;
      while (end < 24 && (limits[d * 24 + end] ?? null) === v) end++;
      if (v !== null) {
        const key = `${String(h).padStart(2, '0')}-${String(end).padStart(2, '0')} ${rateText(v)}`;
        runs.set(key, [...(runs.get(key) ?? []), d]);
      }
      h = end;
    }
  }
  return [...runs.entries()].map(([hoursRate, days]) => `${dayList(days)} ${hoursRate}`).join('; ');
}

/** Day indices as ranges and lists: [0,1,2,3,4,6] → mon-fri,sun. */
function dayList(days: number[]): string {
  if (days.length === 7) return '*';
  const parts: string[] = [];
  for (let i = 0; i < days.length; i++) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
    parts.push(j > i ? `${DAYS[days[i]!]}-${DAYS[days[j]!]}` : DAYS[days[i]!]!);
    i = j;
  }
  return parts.join(',');
}
