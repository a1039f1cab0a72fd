/**
 * The no-split-brain rule, as pure functions of what each agent knows and its own clock.
 * The monitor (on the target), the witness and the source each decide from their own
 * last successful contacts; durations are measured on each host's own monotonic clock, so
 * only clock *rate* differences (drift) matter, never the hosts' wall-clock offsets.
 *
 *  - The **source fences itself** (stops its mail services, then keeps them stopped) when it
 *    has had no successful round trip with the target nor with the witness for `fenceAfterS`;
 *    stopping must finish within `fenceDeadlineS` (then the services are killed).
 *  - The **witness grants** the target a lease only when it has itself had no contact with the
 *    source for `grantAfterS`, chosen so that a source that was still alive has fenced before:
 *        grantAfterS · (1 − drift) > rttMaxS + fenceAfterS · (1 + drift) + fenceDeadlineS
 *    (the source's last contact can be at most one round trip after the witness's last one).
 *  - The **target promotes** only with that lease, and only after its own timeout (or a person's
 *    click, which still needs the lease).
 *  - A fenced source **unfences** when the witness answers that it is still the host that may
 *    serve (no lease was granted since), or, while the witness cannot be reached, when every
 *    standby answers as one again (each bound by its promise, as for admission); never after the
 *    witness named another host (a failover: it stays fenced until failback hands the lease
 *    back) or said the lease is blocked.
 *  - A source **starts fenced**: after a crash, a kill or a reboot its mail services wait for
 *    the witness's word (the simulation in test/unit/monitor-rules.test.ts finds the split brain
 *    a source that served at boot would cause).
 */

import type { FENCE_STATES, MONITOR_STATES } from '../../../shared/agent-state.ts';
import { AGENT_START_S, RESTART_DELAY_S, SUPERVISOR_POLL_S, SUPERVISOR_STALE_CHECKS } from '../../../shared/supervisor-pace.ts';

export interface MonitorTiming {
  /** Seconds between heartbeats. */
  heartbeatS: number;
  /** A round trip slower than this counts as failed. */
  rttMaxS: number;
  /** The target calls the source suspect after this long without a heartbeat. */
  suspectAfterS: number;
  /** Automatic failover after this long without the source (the person's choice in step 3; default 60). */
  timeoutS: number;
  fenceAfterS: number;
  fenceDeadlineS: number;
  grantAfterS: number;
  /** The allowed difference in clock rate between hosts (0.01 = 1%). */
  drift: number;
}

/**
 * The standard constants, for servers on any network whose round trips stay under 1.5 s:
 * heartbeats every 0.5 s; the source fences after F = 4 s without a round trip (and its admission
 * lapses F after the last affirming one was sent); its services stop within D = 2 s; the witness
 * grants after G = 10 s. timingProblem checks the three ways a source can still be serving,
 * against G: cut off (1.5 + 4 · 1.01 + a round's 1.5 + 2 = 9.04 s), its agent restarted (8.5 · 1.01 s) or its agent
 * hung until the supervisor kills it ((1.5 + 4 + 1.1 + 1 + 2) · 1.01 = 9.7 s), each over (1 − ε): at most 9.8 < 10. So the least
 * failover timeout is 10 s; the default stays 60 s (a minute of network trouble is ridden out
 * without a failover).
 */
export const DEFAULT_TIMING: MonitorTiming = { heartbeatS: 0.5, rttMaxS: 1.5, suspectAfterS: 3, timeoutS: 60, fenceAfterS: 4, fenceDeadlineS: 2, grantAfterS: 10, drift: 0.01 };

/**
 * The same rule about three times faster, for a test lab on one switch (heartbeats every 0.5 s,
 * fence after 3 s, services stopped within 2 s, grant after 9 s), with the same drift, so the
 * bounds hold as they do for the standard constants (cut off 7.03 s, restarted 7.5 · 1.01 s, hung
 * 8.1 · 1.01 s, each over (1 − ε): at most 8.3 < 9). Round trips still get a
 * whole second: a lab on a busy two-core machine is slow at times, and a slow round trip must not
 * fence a healthy source.
 */
export const FAST_TIMING: MonitorTiming = { heartbeatS: 0.5, rttMaxS: 1, suspectAfterS: 1.5, timeoutS: 12, fenceAfterS: 3, fenceDeadlineS: 2, grantAfterS: 9, drift: 0.01 };

/** The constants a host's monitor runs on: its profile's, with the job's timeout. */
export function timingOf(m: { profile?: 'standard' | 'fast'; timeoutSeconds?: number } | undefined): MonitorTiming {
  const base = m?.profile === 'fast' ? FAST_TIMING : DEFAULT_TIMING;
  return { ...base, timeoutS: m?.timeoutSeconds ?? base.timeoutS };
}

export { AGENT_START_S, RESTART_DELAY_S, SUPERVISOR_POLL_S, SUPERVISOR_STALE_CHECKS };

/**
 * Seconds from the witness's last word with a source to that source's services stopped, in each
 * way the source can still be serving (on the source's clock): cut off (it fences after F, a round
 * trip's answer arriving at most RTTmax after the witness heard it); its agent exited and
 * restarted (the next heartbeat's time, the supervisor's look and delay, the start, two unanswered
 * rounds, then D); its agent hung (its last stamp at most a round after the witness's word,
 * older than F on two looks, the kill, `unserve` started, then D; a tenth for the stamp's precision).
 */
export function servingBounds(t: MonitorTiming): { cut: number; restarted: number; hung: number } {
  return {
    // The fence is looked at after each round to the witness, which takes up to a heartbeat or RTTmax: it can be that late.
    cut: t.rttMaxS + t.fenceAfterS * (1 + t.drift) + Math.max(t.heartbeatS, t.rttMaxS) + t.fenceDeadlineS,
    restarted: (t.heartbeatS + SUPERVISOR_POLL_S + RESTART_DELAY_S + AGENT_START_S + 2 * (t.heartbeatS + t.rttMaxS) + t.fenceDeadlineS) * (1 + t.drift),
    // Its last word to the witness was at most a round before it hung (rounds start every heartbeat, and one can take RTTmax).
    hung: (Math.max(t.heartbeatS, t.rttMaxS) + t.fenceAfterS + SUPERVISOR_STALE_CHECKS * SUPERVISOR_POLL_S + 0.1 + AGENT_START_S + t.fenceDeadlineS) * (1 + t.drift),
  };
}

/** Why a timing breaks the rule, in plain words; null when it holds. */
export function timingProblem(t: MonitorTiming): string | null {
  const b = servingBounds(t);
  const words = { cut: 'a cut-off source', restarted: 'a source whose agent restarted', hung: 'a source whose agent hung' } as const;
  for (const k of ['cut', 'restarted', 'hung'] as const) {
    const needed = b[k] / (1 - t.drift);
    if (t.grantAfterS <= needed) return `the witness would grant a lease after ${t.grantAfterS} s, before ${words[k]} is sure to have stopped its services (${needed.toFixed(1)} s); wait longer or fence sooner`;
  }
  if (t.timeoutS < t.grantAfterS) return `a failover timeout of ${t.timeoutS} s is shorter than the ${t.grantAfterS} s the witness waits before it grants the lease; choose at least ${Math.ceil(t.grantAfterS)} s`;
  if (t.suspectAfterS <= t.rttMaxS) return 'the source would be suspect before a heartbeat could even come back';
  return null;
}

/** Seconds since a contact (Infinity when there was none). */
const since = (now: number, at: number | null) => (at === null ? Infinity : (now - at) / 1000);

export function sourceMustFence(now: number, lastTarget: number | null, lastWitness: number | null, t: MonitorTiming): boolean {
  return since(now, lastTarget) >= t.fenceAfterS && since(now, lastWitness) >= t.fenceAfterS;
}

export function witnessMayGrant(now: number, lastSource: number | null, t: MonitorTiming): boolean {
  return since(now, lastSource) >= t.grantAfterS;
}

/** What the witness knows when a standby asks for the lease. */
export interface LeaseAsk {
  now: number;
  lastSource: number | null;
  /** The standby asking. */
  from: string;
  /** The job's source (by configuration) and the host the lease names now. */
  source: string;
  active: string;
  /** Whether the witness has heard the source once since the job was protected. */
  heardSource: boolean;
  /** Why the lease cannot be trusted (unreadable, corrupt); no one may take it until a person decides. */
  blocked: string | null;
  /** The job's standbys as provisioned: only they may ever hold the lease (a host dropped from the job keeps a valid certificate). */
  standbys?: readonly string[];
}

/**
 * Why the witness refuses `from` the lease now, or null when it grants it. At most one holder per
 * epoch: once a standby holds it, no other standby gets it (a planned switchover or a failback
 * hands it over explicitly, nothing else moves it); and only after the witness itself has lost
 * the source for `grantAfterS`.
 */
export function leaseRefusal(a: LeaseAsk, t: MonitorTiming): string | null {
  if (a.blocked) return a.blocked;
  // The source never asks: it serves by the lease it already has, and the lease's key opens only a standby's sealed account.
  if (a.from === a.source || (a.standbys?.length && !a.standbys.includes(a.from))) return `${a.from} is not a standby of this job`;
  if (a.active === a.from) return null;
  if (a.active !== a.source) return `${a.active} holds the lease already; only a failback or a planned switchover moves it`;
  if (!a.heardSource) return `the witness has not heard ${a.source} once since the job was protected (it may still be starting); it grants no lease before it has`;
  if (!witnessMayGrant(a.now, a.lastSource, t)) return `the witness heard ${a.source} ${(since(a.now, a.lastSource)).toFixed(1)} s ago; it grants the lease only after ${t.grantAfterS} s of silence`;
  return null;
}

/**
 * How long after a grant the witness still gives the holder the key that opens its sealed
 * directory account: long enough for a failover whose agent restarted to finish (its plan
 * re-homes mailboxes), never at any later time. After it, a person finishes from the app.
 */
export const KEY_WINDOW_MS = 30 * 60_000;

/** Whether the holder of a lease granted at `grantedAt` (the witness's wall clock) may have the key at `now`. */
export const keyWindowOpen = (grantedAt: number, now: number) => now >= grantedAt && now - grantedAt < KEY_WINDOW_MS;

/**
 * How long a standby, having answered the source's heartbeat, promises not to ask for the lease.
 * The source admits mail on its targets' word only while every one answered within `fenceAfterS`
 * (its own clock, from when it sent), so the promise must outlast that at the worst drift; it is
 * the witness's own wait, which already does.
 */
export const standbyPromiseS = (t: MonitorTiming) => t.grantAfterS;

/**
 * Whether the source admits mail at `now` (its monotonic clock), fail-closed: only while it is
 * confirmed as the host that may serve (`serving`), and the lease was affirmed within
 * `fenceAfterS` of when the affirming round trip was *sent* — by the witness naming it, or by
 * every target answering as a standby (each promised not to ask for the lease meanwhile).
 * A stopped, frozen or absent agent answers nothing, and the mail server then refuses for a
 * while (4xx), never accepts. Without a witness there is no fencing: the source always admits.
 */
export function sourceAdmits(now: number, a: { serving: boolean; hasWitness: boolean; witnessAt: number | null; targetsAt: ReadonlyArray<number | null> }, t: MonitorTiming): boolean {
  if (!a.hasWitness) return true;
  if (!a.serving) return false;
  const fresh = (at: number | null) => since(now, at) < t.fenceAfterS;
  return fresh(a.witnessAt) || (a.targetsAt.length > 0 && a.targetsAt.every(fresh));
}

/** A fenced source serves again only when the witness answered and still names it the host that may serve. */
export function sourceMayUnfence(witness: { reached: boolean; active: string } | null, me: string): boolean {
  return !!witness?.reached && witness.active === me;
}

/** The source's fence: unconfirmed at start, serving, fenced (cut off), handed over (a lease went to a target). */
export type FenceState = (typeof FENCE_STATES)[number];

export type MonitorState = (typeof MONITOR_STATES)[number];

/** What each host's monitor shows in its state.json (one schema with what the app reads: shared/agent-state.ts). */
export type { MonitorView } from '../../../shared/agent-state.ts';

export interface MonitorInputs {
  now: number;
  lastHeartbeat: number | null;
  /** What the witness says: whether it has reached the source lately. */
  witnessSeesSource: boolean | null;
  mode: 'automatic' | 'alert';
}

/** The target's state from what it knows now; failing over itself (lease, plan) is the caller's. */
export function monitorState(current: MonitorState, i: MonitorInputs, t: MonitorTiming): MonitorState {
  if (current === 'failing-over' || current === 'failed-over' || current === 'failing-back') return current;
  const quiet = since(i.now, i.lastHeartbeat);
  if (quiet < t.suspectAfterS) return 'healthy';
  // The witness still reaching the source means the fault is on our side of the network: never lost.
  if (quiet >= t.timeoutS && i.witnessSeesSource === false) return 'source-lost';
  return 'source-suspect';
}

/** How long a suspicion lasts before it is sent as an alert: one that clears sooner (a busy host) is only logged. */
export const SUSPECT_ALERT_AFTER_S = 10;

/**
 * Whether a change of the target's state is sent as an alert now. A suspicion is sent only once
 * it has lasted SUSPECT_ALERT_AFTER_S (by the caller's clock), and its end only when it was sent:
 * a loaded host missing a few heartbeats must not page anyone twice.
 */
export function alertsOnChange(from: MonitorState, to: MonitorState, suspectSent: boolean): boolean {
  if (to === 'source-suspect') return false;
  if (to === 'healthy' && from === 'source-suspect') return suspectSent;
  return true;
}

/** Whether to start a failover now (the lease is still needed on top). */
export function shouldFailOver(state: MonitorState, mode: MonitorInputs['mode'], clicked: boolean): boolean {
  return state === 'source-lost' && (mode === 'automatic' || clicked);
}
