/**
 * The job's health thresholds beyond the RPO, each watched where it is known and alerted once,
 * with its clearing, after it has lasted SUSPECT_ALERT_AFTER_S (like a suspicion):
 * - on the source, per standby: no successful send for `noSendMinutes` (after the initial sync),
 *   and an initial sync that moved no byte for `syncStallMinutes` — each with the last error;
 * - on a standby: its volume of points with less than `minFreePercent` free.
 * Pure: the caller gives the state and the time, and sends what comes back.
 */
import type { AgentState } from '../../shared/agent-state.ts';
import { SUSPECT_ALERT_AFTER_S } from './monitor/rules.ts';
import type { AlertMemory } from './rpo-watch.ts';

export interface WatchLimits { noSendMinutes: number; syncStallMinutes: number; minFreePercent: number }
export interface HealthAlert { event: string; severity: 'info' | 'warning' | 'critical'; message: string }

/**
 * A condition alerted once it has held for the debounce, and its end once (only after it was alerted).
 * With a memory and a key, what was sent survives the agent's restart: a condition raised before it is
 * cleared after it (once it has been over for the debounce), and not raised again.
 */
export class ConditionWatch {
  #on: boolean;
  #since: number;
  #sent: boolean;
  readonly #memory: AlertMemory | undefined;
  readonly #key: string;

  constructor(memory?: AlertMemory, key = '', now = Date.now()) {
    this.#memory = memory;
    this.#key = key;
    this.#sent = memory?.[key] === 'raised';
    this.#on = this.#sent;
    this.#since = this.#sent ? now : 0;
  }

  /** Whether the condition was alerted and its clearing is still due. */
  get sent(): boolean {
    return this.#sent;
  }

  step(now: number, on: boolean, debounceMs = SUSPECT_ALERT_AFTER_S * 1000): 'raise' | 'clear' | null {
    if (on !== this.#on) { this.#on = on; this.#since = now; }
    if (on === this.#sent || now - this.#since < debounceMs) return null;
    this.#sent = on;
    if (this.#memory) {
      if (on) this.#memory[this.#key] = 'raised';
      else delete this.#memory[this.#key];
    }
    return on ? 'raise' : 'clear';
  }
}

const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;
const why = (e: string | null) => (e ? ` The last error: ${e}` : ' No error was reported.');

/** The source's watch over its standbys' sends. */
export class SendWatch {
  #watches = new Map<string, { send: ConditionWatch; stall: ConditionWatch; bytes: number; progressAt: number; moved: boolean }>();
  readonly #memory: AlertMemory | undefined;

  constructor(memory?: AlertMemory) {
    this.#memory = memory;
  }

  /** The furthest byte count of `name`'s initial sync when its stall was alerted (before a restart), or -1. */
  #furthest(name: string): number {
    const n = Number(this.#memory?.[`sync-bytes:${name}`] ?? -1);
    return Number.isFinite(n) && n >= 0 ? n : -1;
  }

  step(now: number, state: Pick<AgentState, 'targets' | 'startedAt'>, limits: WatchLimits, host: string): HealthAlert[] {
    const out: HealthAlert[] = [];
    for (const [name, t] of Object.entries(state.targets)) {
      const w = this.#watches.get(name) ?? { send: new ConditionWatch(this.#memory, `send-stalled:${name}`, now), stall: new ConditionWatch(this.#memory, `sync-stalled:${name}`, now), bytes: this.#furthest(name), progressAt: now, moved: false };
      this.#watches.set(name, w);
      const syncing = t.lastPoint === null;
      // The initial sync moves when it gets further than it ever got: a retry that starts again from nothing and fails
      // where the last one did is no progress.
      const bytes = t.current?.bytesRaw ?? -1;
      if (!syncing) { w.progressAt = now; w.bytes = -1; } else if (bytes > w.bytes) {
        // Moved: further than a byte count seen before (the first look after a start only learns where the sync is).
        if (w.bytes >= 0) w.moved = true;
        w.progressAt = now;
        w.bytes = bytes;
      }
      const stalledMs = now - w.progressAt;
      // Once alerted (before a restart too), it ends only when the sync really moves, not because this agent's watch is new.
      const stall = w.stall.step(now, syncing && (w.stall.sent ? !w.moved : stalledMs >= limits.syncStallMinutes * 60_000));
      // The furthest the sync got is kept with the alert: after a restart, a retry from nothing is still no progress.
      if (stall === 'raise') { w.moved = false; if (this.#memory) this.#memory[`sync-bytes:${name}`] = String(Math.max(0, w.bytes)); }
      if (stall === 'clear' && this.#memory) delete this.#memory[`sync-bytes:${name}`];
      if (stall === 'raise') out.push({ event: 'sync-stalled', severity: 'critical', message: `The initial sync from ${host} to ${name} has moved nothing for ${minutes(stalledMs)}: ${name} holds no point yet, so it could not take over.${why(t.lastError)}` });
      if (stall === 'clear') out.push({ event: 'sync-progressing', severity: 'info', message: `The initial sync from ${host} to ${name} moves again${t.lastPoint ? ` (it is done: ${t.lastPoint})` : ''}.` });
      // After the initial sync: the last send that succeeded (or this agent's start, when none has since; not once
      // alerted: a restart is no successful send, so it never reads as sends resumed).
      const lastOk = w.send.sent ? t.lastSend?.endedAt ?? 0 : Math.max(t.lastSend?.endedAt ?? 0, state.startedAt);
      const quietMs = now - lastOk;
      const send = w.send.step(now, !syncing && quietMs >= limits.noSendMinutes * 60_000);
      if (send === 'raise') out.push({ event: 'send-stalled', severity: 'warning', message: `No send from ${host} to ${name} has succeeded for ${minutes(quietMs)}; ${name} falls behind.${why(t.lastError)}` });
      if (send === 'clear') out.push({ event: 'send-resumed', severity: 'info', message: `Sends from ${host} to ${name} succeed again.` });
    }
    return out;
  }
}

/** A standby's watch over the free space of its volume of points. */
export class VolumeWatch {
  #watch: ConditionWatch;

  constructor(memory?: AlertMemory) {
    this.#watch = new ConditionWatch(memory, 'volume-full');
  }

  step(now: number, volume: { freeBytes: number; totalBytes: number } | null, limits: WatchLimits, host: string): HealthAlert | null {
    if (!volume || volume.totalBytes <= 0) return null;
    const freePct = (volume.freeBytes / volume.totalBytes) * 100;
    const r = this.#watch.step(now, freePct < limits.minFreePercent);
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
    if (r === 'raise') return { event: 'volume-full', severity: 'critical', message: `${host}'s volume for points has ${gib(volume.freeBytes)} free of ${gib(volume.totalBytes)} (${freePct.toFixed(1)}%, under ${limits.minFreePercent}%): points will stop arriving when it is full. Free space there, or keep fewer points.` };
    if (r === 'clear') return { event: 'volume-ok', severity: 'info', message: `${host}'s volume for points has ${freePct.toFixed(1)}% free again.` };
    return null;
  }
}
