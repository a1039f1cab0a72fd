/**
 * The source's side of the no-split-brain rule: it serves mail only while the witness names
 * it the host that may serve, and stops its services (fences itself) when it reaches neither
 * a target nor the witness for `fenceAfterS`. It starts unconfirmed (services wait for the
 * witness's word after a crash, a kill or a reboot) and, once the lease went to a target,
 * stays handed over until failback gives it back. Fenced by a lapse or a cut (not by the
 * witness), it serves again once every standby answers as one. Without a witness there is no fencing: the
 * source always serves and no standby ever takes over by itself.
 */
import { sourceMayUnfence, sourceMustFence, type FenceState, type MonitorTiming } from './rules.ts';
import { anyRunning, startServices, stopServices, type ServiceSpec } from './services.ts';
import type { Note } from '../../../shared/agent-events.ts';

type Alert = (event: string, severity: 'info' | 'warning' | 'critical', message: string) => void;

export interface FenceView { lastTargetAgoS: number | null; lastWitnessAgoS: number | null; fenceDue: boolean; fence: FenceState; fenceSince: number; active: string | null; epoch: number | null; servicesError?: string }

export class SourceFence {
  #state: FenceState;
  #since = Date.now();
  #lastTarget: number | null = null;
  #lastWitness: number | null = null;
  #lastCheck = 0;
  #unconfirmedMisses = 0;
  #servicesError: string | undefined;
  #lease: { active: string; epoch: number } | null = null;
  /** Only the witness may lift the fence: since start (no word yet from anyone who knows the lease), or after it said the lease is blocked. */
  #needsWitness = true;

  readonly me: string;
  readonly services: ServiceSpec[];
  readonly hasWitness: boolean;
  readonly t: MonitorTiming;
  readonly note: Note;
  readonly alert: Alert | undefined;

  constructor(me: string, services: ServiceSpec[], hasWitness: boolean, t: MonitorTiming, note: Note, alert?: Alert) {
    this.me = me;
    this.services = services;
    this.hasWitness = hasWitness;
    this.t = t;
    this.note = note;
    this.alert = alert;
    this.#state = hasWitness ? 'unconfirmed' : 'serving';
    if (!hasWitness) void this.#serve('there is no witness, so this source always serves');
  }

  get state(): FenceState {
    return this.#state;
  }

  /**
   * `admits`: whether mail is admitted now (rules.ts sourceAdmits); a serving source whose admission lapsed stops its services too.
   * `affirmed`: whether it would be, were it serving: every standby answered lately as one (bound by its promise not to take the
   * lease). A source fenced by a lapse or a cut, not by the witness, serves again on that word alone, as the rule admits mail on
   * it (a busy standby's late answers must not keep mail down until a cut witness link heals).
   */
  async step(now: number, targetOk: boolean, witness: { active: string; epoch: number; blocked?: string | null } | null, admits: () => boolean = () => true, affirmed: () => boolean = () => false): Promise<FenceView> {
    if (targetOk) this.#lastTarget = now;
    if (witness) { this.#lastWitness = now; this.#lease = witness; }
    const mustFence = this.hasWitness && sourceMustFence(now, this.#lastTarget, this.#lastWitness, this.t);
    if (this.hasWitness) {
      if (witness?.blocked) {
        this.#needsWitness = true;
        if (this.#state !== 'fenced') await this.#stop('fenced', witness.blocked);
      } else if (witness && sourceMayUnfence({ reached: true, active: witness.active }, this.me)) {
        if (this.#state !== 'serving') await this.#serve(`the witness says ${this.me} may serve (lease ${witness.epoch})`);
      } else if (witness) {
        if (this.#state !== 'handed-over') await this.#stop('handed-over', `the witness gave the lease to ${witness.active} (lease ${witness.epoch}); ${this.me} stays fenced until failback`);
      } else if (this.#state === 'unconfirmed' && ++this.#unconfirmedMisses >= 2) {
        // Two round trips, not one: a slow first handshake should not stop mail. The bound still holds: an agent
        // restarted within ~1.5 s, two failed rounds (≤ 2 · (heartbeat + rttMax)) and the fence deadline stay under grantAfterS
        // (rules.ts checks it: timingProblem).
        await this.#stop('fenced', 'the witness did not answer since the agent started; the services wait for its word');
      } else if (this.#state === 'serving' && mustFence) {
        await this.#stop('fenced', `neither a target nor the witness answered for ${this.t.fenceAfterS} s`);
      } else if (this.#state === 'serving' && !admits()) {
        // Admission already refuses new mail; sessions under way, the queue and open IMAP sessions stop with the services.
        await this.#stop('fenced', `neither the witness nor every standby affirmed within ${this.t.fenceAfterS} s that ${this.me} may serve`);
      } else if (this.#state === 'fenced' && !this.#needsWitness && !mustFence && affirmed()) {
        await this.#serve('every standby answers as one again (each bound not to take the lease meanwhile)');
      }
      // A fenced source keeps its services stopped, whoever starts them.
      if (this.#state !== 'serving' && now - this.#lastCheck > 5000) {
        this.#lastCheck = now;
        if (await anyRunning(this.services)) await stopServices(this.services, this.t.fenceDeadlineS * 1000, this.note);
      }
    }
    const ago = (at: number | null) => (at === null ? null : Math.round((now - at) / 100) / 10);
    return { lastTargetAgoS: ago(this.#lastTarget), lastWitnessAgoS: ago(this.#lastWitness), fenceDue: mustFence, fence: this.#state, fenceSince: this.#since,
      active: this.#lease?.active ?? null, epoch: this.#lease?.epoch ?? null, ...(this.#servicesError ? { servicesError: this.#servicesError } : {}) };
  }

  async #serve(why: string): Promise<void> {
    this.#needsWitness = false;
    const r = await startServices(this.services, this.note);
    this.#servicesError = r.error;
    if (!r.ok) return;
    this.#set('serving', why);
    this.alert?.('source-serving', 'info', `${this.me} serves mail (${why}).`);
  }

  async #stop(next: FenceState, why: string): Promise<void> {
    this.#set(next, why);
    const ok = await stopServices(this.services, this.t.fenceDeadlineS * 1000, this.note);
    this.#servicesError = ok ? undefined : 'a mail service is still running although this source is fenced';
    this.alert?.(next === 'fenced' ? 'source-fenced' : 'source-handed-over', next === 'fenced' ? 'critical' : 'info', `${this.me} stopped its mail services: ${why}.`);
  }

  #set(next: FenceState, why: string): void {
    if (next === this.#state) return;
    this.note({ kind: 'fence', from: this.#state, to: next, message: `${this.#state} → ${next} (${why})` });
    this.#state = next;
    this.#since = Date.now();
  }
}
