/**
 * How much space a standby's retention needs beyond the live mail: the points it keeps span a
 * window (the newest N points, one an hour, one a day), and what they hold beyond the live data
 * is at most what changed over that window. The rate of change is measured on the newest
 * consecutive points (their send streams are what changed between them). Pure.
 */
import type { PointRow } from './point-choice.ts';
import { formatBytes } from './point-choice.ts';

export interface RetentionOptions { intervalSeconds: number; retention: { last: number; hourlyForHours: number; dailyForDays: number } }

export interface RetentionEstimate {
  /** The time the kept points span, in seconds. */
  spanSeconds: number;
  /** Changes per second on the newest points, or null when too few have a known size. */
  bytesPerSecond: number | null;
  /** At most this much beyond the live data, or null when the rate is unknown. */
  bytes: number | null;
  sentence: string;
}

const spanWords = (s: number) => (s >= 2 * 86400 ? `${Math.round(s / 86400)} days` : s >= 2 * 3600 ? `${Math.round(s / 3600)} hours` : `${Math.max(1, Math.round(s / 60))} minutes`);

export function retentionEstimate(rows: readonly PointRow[], o: RetentionOptions): RetentionEstimate {
  const r = o.retention;
  const spanSeconds = Math.max(r.last * o.intervalSeconds, r.hourlyForHours * 3600, r.dailyForDays * 86400);
  // The newest points a minute apart or less are consecutive sends; each one's stream is what changed since the one before.
  const recent = rows.slice(-Math.min(rows.length, Math.max(2, r.last)));
  const sized = recent.slice(1).filter((x) => x.bytes !== null);
  const seconds = recent.length >= 2 ? (recent.at(-1)!.at - recent[0]!.at) / 1000 : 0;
  const bytesPerSecond = sized.length >= 2 && sized.length === recent.length - 1 && seconds > 0 ? sized.reduce((n, x) => n + x.bytes!, 0) / seconds : null;
  const bytes = bytesPerSecond === null ? null : Math.round(bytesPerSecond * spanSeconds);
  const keeps = `Keeping the newest ${r.last} points${r.hourlyForHours ? `, one an hour for ${r.hourlyForHours} hours` : ''}${r.dailyForDays ? `, one a day for ${r.dailyForDays} days` : ''} reaches back ${spanWords(spanSeconds)}`;
  const sentence = bytes === null
    ? `${keeps}; the space that takes is not known yet (too few points of known size).`
    : `${keeps}; at the recent rate of change (${formatBytes(Math.round(bytesPerSecond! * 3600))} an hour) that takes at most about ${formatBytes(bytes)} beyond the mail itself.`;
  return { spanSeconds, bytesPerSecond, bytes, sentence };
}
