/**
 * A standby's RPO thresholds, watched on the standby itself: the age of the newest point it holds
 * (from the point's name) against the job's warning and critical ages. A crossing is alerted to
 * the job's receivers once it has lasted SUSPECT_ALERT_AFTER_S, like a suspicion (a point a few
 * seconds late on a busy host pages no one), and its clearing only when the crossing was sent.
 * Only while this host is a standby: one that took over receives nothing, and that is no lag.
 */
import { parsePoint } from '../../shared/points.ts';
import { SUSPECT_ALERT_AFTER_S } from './monitor/rules.ts';

export type RpoLevel = 'ok' | 'warning' | 'critical';
export interface RpoThresholds { rpoWarnSeconds: number; rpoCriticalSeconds: number }

export const rpoLevel = (ageS: number | null, t: RpoThresholds): RpoLevel | null =>
  (ageS === null ? null : ageS >= t.rpoCriticalSeconds ? 'critical' : ageS >= t.rpoWarnSeconds ? 'warning' : 'ok');

export interface RpoAlert { event: 'rpo-warning' | 'rpo-critical' | 'rpo-cleared'; severity: 'info' | 'warning' | 'critical'; message: string }

/** What a watch keeps across the agent's restarts (the state file's `alerted`): what it sent, by condition. */
export type AlertMemory = Record<string, string>;

/** The watch's memory: the level seen, since when, and the level last alerted (also in `memory`, so a restart keeps it). */
export class RpoWatch {
  #level: RpoLevel;
  #since: number;
  #sent: RpoLevel;
  readonly #memory: AlertMemory;

  /** `memory`: what was sent before a restart; a level still alerted is taken as the one seen now, until a look says otherwise. */
  constructor(memory: AlertMemory = {}, now = Date.now()) {
    this.#memory = memory;
    const m = memory.rpo;
    this.#sent = m === 'warning' || m === 'critical' ? m : 'ok';
    this.#level = this.#sent;
    this.#since = this.#sent === 'ok' ? 0 : now;
  }

  /** One look at `now` (ms): the alert to send, if any. `newest` is the newest point's name (null: none yet, which is the initial sync's business). */
  step(now: number, newest: string | null, t: RpoThresholds, host: string): RpoAlert | null {
    const at = newest ? parsePoint(newest)?.at ?? null : null;
    const ageS = at === null ? null : Math.max(0, (now - at) / 1000);
    const level = rpoLevel(ageS, t) ?? 'ok';
    if (level !== this.#level) { this.#level = level; this.#since = now; }
    if (level === this.#sent || now - this.#since < SUSPECT_ALERT_AFTER_S * 1000) return null;
    const was = this.#sent;
    this.#sent = level;
    if (level === 'ok') delete this.#memory.rpo;
    else this.#memory.rpo = level;
    const age = ageS === null ? '' : `${Math.round(ageS)} s`;
    if (level === 'ok') return { event: 'rpo-cleared', severity: 'info', message: `${host} is current again: its newest point is ${age} old (it had been ${was === 'critical' ? 'critical' : 'late'}).` };
    return level === 'critical'
      ? { event: 'rpo-critical', severity: 'critical', message: `${host}'s newest point is ${age} old, past the critical age of ${t.rpoCriticalSeconds} s: a failover now would lose that much mail.` }
      : { event: 'rpo-warning', severity: 'warning', message: `${host}'s newest point is ${age} old, past the warning age of ${t.rpoWarnSeconds} s.` };
  }
}
