/**
 * The failover monitor's live part. The source heartbeats to its targets and the witness
 * (one round trip each, every second, over the job's mutual TLS; each peer on its own, so a
 * target busy receiving a large point delays no one else's heartbeat) and fences itself when it
 * reaches neither; the witness remembers when it last heard the source and keeps the lease
 * (which host may serve); a target watches the source, asks the witness for a second opinion
 * and, in automatic mode, for the lease, then runs the failover. Decisions are the pure rules
 * of rules.ts, on this host's monotonic clock; each change of state is logged and alerted.
 */
import { performance } from 'node:perf_hooks';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../config.ts';
import type { StateFile } from '../state.ts';
import { ask, type TlsMaterial } from '../peer.ts';
import { LeaseStore } from './lease.ts';
import { SourceFence } from './fence.ts';
import type { ServiceSpec } from './services.ts';
import { readPhase } from './phase.ts';
import { SUSPECT_ALERT_AFTER_S, standbyPromiseS, timingOf, alertsOnChange, keyWindowOpen, leaseRefusal, monitorState, shouldFailOver, sourceAdmits, type MonitorState, type MonitorTiming, type MonitorView } from './rules.ts';
import { beginAsking, endAsking, isAsking, promiseLeftS, recordStandbyAnswer, settleAsking } from './promise.ts';
import { bootNowMs } from './clock.ts';
import type { AgentEventInput } from '../../../shared/agent-events.ts';

const agoS = (at: number | null) => (at === null ? null : Math.round((performance.now() - at) / 100) / 10);

export interface MonitorHooks {
  /** The target holds the lease: run the failover (automatic mode); resolves with an error sentence or null. */
  failover?: (leaseKey: string | null) => Promise<string | null>;
  alert?: (event: string, severity: 'info' | 'warning' | 'critical', message: string) => void;
}

export class Monitor {
  readonly #c: AgentConfig;
  readonly #tls: TlsMaterial;
  readonly #st: StateFile;
  readonly #t: MonitorTiming;
  readonly #hooks: MonitorHooks;
  #lastSource: number | null;
  #lease: LeaseStore | null = null;
  #fence: SourceFence | null = null;
  #state: MonitorState = 'healthy';
  #since = Date.now();
  #timer: NodeJS.Timeout | null = null;
  #beats: NodeJS.Timeout | null = null;
  /** Targets with a heartbeat on its way, and when one last answered (the source's). */
  readonly #inFlight = new Set<string>();
  #targetAnsweredAt: number | null = null;
  /** Source: when (boot clock) the last heartbeat each target answered as a standby was sent, and the last witness round trip that named this host. */
  readonly #standbyAt = new Map<string, number>();
  #witnessAffirmedAt: number | null = null;
  /** Target: what the witness last said (the lease's holder), for admission after a failover. */
  #witnessSaid: { active: string; blocked: boolean } | null = null;
  /** Target: the holder that refused this standby the lease (it stays fenced and says so). */
  #leaseHolder: string | null = null;
  /** Target: a request for the lease is under way (heartbeats are answered as "not a standby" meanwhile). */
  #asking = false;
  #stepAt = 0;
  #failoverError: string | undefined;
  /** Whether the current suspicion was sent as an alert (it is once it lasts). */
  #suspectSent = false;
  #why = '';
  #attempted = false;

  constructor(c: AgentConfig, tls: TlsMaterial, st: StateFile, services: ServiceSpec[], hooks: MonitorHooks = {}) {
    this.#c = c;
    this.#tls = tls;
    this.#st = st;
    this.#hooks = hooks;
    this.#t = timingOf(c.monitor);
    // The witness and a target count their own start as a contact: a restarted witness cannot grant early, and a
    // target that just started does not call a source it has not heard yet suspect (nor alert about it).
    this.#lastSource = c.role === 'source' ? null : performance.now();
    if (c.role === 'witness' && c.monitor?.source) {
      this.#lease = new LeaseStore(c.stateDir, c.monitor.source.name);
      // Provisioned by a version that did not tell the witness the job's standbys: it grants no lease, and says so once.
      if (!c.standbyNames.length && c.monitor.mode === 'automatic') {
        queueMicrotask(() => hooks.alert?.('lease-blocked', 'critical', `The witness of this job was not told which hosts are its standbys, so it grants no lease and no automatic failover can happen; protect the job again.`));
      }
      const blocked = this.#lease.blocked;
      if (blocked) {
        this.#note({ kind: 'lease', action: 'blocked', message: blocked });
        queueMicrotask(() => hooks.alert?.('lease-blocked', 'critical', blocked));
      }
    }
    if (c.role === 'source' && c.monitor) this.#fence = new SourceFence(c.host, services, !!c.monitor.witness, this.#t, (e) => this.#note(e), hooks.alert);
    if (c.role === 'target') {
      const p = readPhase(c.stateDir);
      if (p) this.#state = p.phase;
    }
  }

  start(): void {
    if (!this.#c.monitor) return;
    const period = this.#t.heartbeatS * 1000;
    // At a steady rate: a slow round trip shortens the wait after it rather than lengthening the gap between beats.
    const tick = () => {
      const started = performance.now();
      void this.#tick().catch((e: unknown) => this.#note({ kind: 'monitor', message: (e as Error).message })).finally(() => {
        this.#timer = setTimeout(tick, Math.max(0, period - (performance.now() - started)));
      });
    };
    if (this.#c.role === 'source') {
      this.#beatTargets();
      this.#beats = setInterval(() => this.#beatTargets(), period);
    }
    tick();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#beats) clearInterval(this.#beats);
  }

  /** One heartbeat to each target that has none on its way: each answers (or not) on its own time. */
  #beatTargets(): void {
    for (const t of this.#c.targets) {
      if (this.#inFlight.has(t.name)) continue;
      this.#inFlight.add(t.name);
      const sentAt = bootNowMs();
      void this.#roundTrip({ name: t.name, address: t.address, port: t.port }, { op: 'heartbeat' }).then((b) => {
        // Only an answer as a standby (bound not to ask for the lease for a while) affirms this source's right to serve,
        // or keeps it from fencing: a target that took over, or is asking for the lease, answers but does not count.
        if (b?.ok && b.standby === true) {
          this.#targetAnsweredAt = performance.now();
          this.#standbyAt.set(t.name, sentAt);
        }
      }).finally(() => this.#inFlight.delete(t.name));
    }
  }

  #note(e: AgentEventInput): void {
    this.#st.note(e);
  }

  /**
   * A heartbeat arrived; only the job's source counts. The witness's answer carries the lease, so
   * the source learns of a failover at once; a standby's says it is one, and binds it (on disk,
   * before the answer leaves) not to ask for the lease for a while.
   */
  onHeartbeat(from: string | null): Record<string, unknown> {
    if (from !== this.#c.monitor?.source?.name) return { error: `${from} is not this job's source` };
    this.#lastSource = performance.now();
    this.#lease?.markHeard(from);
    if (this.#c.role === 'target') {
      // The promise first, then whether a request for the lease is under way (promise.ts says why in this order).
      let standby = this.#isStandby();
      if (standby) {
        recordStandbyAnswer(this.#c.stateDir);
        // Not while it asks, or may hold the lease: its witness's last word names it, or says the lease cannot be trusted.
        const w = this.#witnessSaid;
        standby = !this.#asking && !isAsking(this.#c.stateDir) && !(w && (w.active === this.#c.host || w.blocked));
      }
      return { ok: true, standby };
    }
    return { ok: true, ...(this.#lease ? this.#lease.get() : {}) };
  }

  /** A target that has not taken over (nor is taking over, nor failing back). */
  #isStandby(): boolean {
    return this.#c.role === 'target' && !readPhase(this.#c.stateDir) && !['failing-over', 'failed-over', 'failing-back'].includes(this.#state);
  }

  /**
   * Whether this host's mail server may accept a message or a sign-in now, decided on this host's
   * monotonic clock at this moment (the mail server asks for every one; see admission.ts).
   */
  admits(): boolean {
    try {
      return this.#admitsNow();
    } catch {
      // The boot clock could not be read: nothing is admitted (clock.ts).
      return false;
    }
  }

  #admitsNow(): boolean {
    if (this.#c.role === 'source') {
      return sourceAdmits(bootNowMs(), { serving: this.#fence?.state === 'serving', hasWitness: !!this.#c.monitor?.witness, witnessAt: this.#witnessAffirmedAt,
        targetsAt: this.#c.targets.map((t) => this.#standbyAt.get(t.name) ?? null) }, this.#t);
    }
    // A target serves only once it has taken over, and only once the witness has named it since this agent started (never another host, or no one).
    if (this.#c.role === 'target') return readPhase(this.#c.stateDir)?.phase === 'failed-over' && this.#witnessSaid !== null && this.#witnessSaid.active === this.#c.host && !this.#witnessSaid.blocked;
    return false;
  }

  /** Source: every standby answered as one within the fence time (what admission would need, were the source serving). */
  #standbysAffirm(): boolean {
    // A switchover under way here (its services stopped, the lease being handed over): only the witness's word counts.
    if (existsSync(join(this.#c.stateDir, 'handover.json'))) return false;
    try {
      const t = this.#c.targets.map((x) => this.#standbyAt.get(x.name) ?? null);
      return t.length > 0 && sourceAdmits(bootNowMs(), { serving: true, hasWitness: true, witnessAt: null, targetsAt: t }, this.#t);
    } catch {
      return false;
    }
  }

  /**
   * Target: the one host that may send points here now. After a failover the witness names the
   * standby that took over, and the others follow it; otherwise (and while the witness has not
   * answered since this agent started) the job's source.
   */
  replicationSource(): string | null {
    const w = this.#witnessSaid;
    if (w && !w.blocked && this.#c.standbys.some((s) => s.name === w.active)) return w.active;
    return this.#c.monitor?.source?.name ?? null;
  }

  /** The witness's answer to a target: how long since it last heard the source, and the lease. */
  witnessStatus(): Record<string, unknown> {
    if (!this.#lease) return { error: `${this.#c.host} is not the witness` };
    return { ok: true, sourceAgoS: agoS(this.#lastSource), ...this.#lease.get() };
  }

  /**
   * A standby asks for the lease: granted only when the witness itself has not heard the source for
   * long enough, and only while no other standby holds it (one holder per epoch; the refusal names the holder).
   */
  leaseRequest(from: string | null): Record<string, unknown> {
    if (!this.#lease) return { error: `${this.#c.host} is not the witness` };
    const cur = this.#lease.get();
    const source = this.#c.monitor?.source?.name ?? '';
    // A witness configured before it knew the job's standbys could not tell one from any other job host: it grants nothing.
    const refusal = !this.#c.standbyNames.length ? 'this witness was not told which hosts are the job\'s standbys; protect the job again' : from ? leaseRefusal({ now: performance.now(), lastSource: this.#lastSource, from, source, active: cur.active, heardSource: this.#lease.everHeard(source), blocked: this.#lease.blocked, standbys: this.#c.standbyNames }, this.#t) : 'the asking host has no name';
    if (refusal) {
      this.#note({ kind: 'lease', action: 'refused', holder: cur.active, epoch: cur.epoch, message: `lease refused to ${from}: ${refusal}` });
      return { ok: true, granted: false, ...cur, ...(cur.active !== source && cur.active !== from && cur.active ? { holder: cur.active } : {}), reason: refusal };
    }
    // The holder asking again (its agent restarted mid-failover) gets the key only while that failover may still be running.
    if (cur.active === from) return { ok: true, granted: true, ...cur, ...(cur.failover && keyWindowOpen(cur.at, Date.now()) ? this.#key() : {}) };
    const rec = this.#lease.grant(from!, `${from} asked after ${agoS(this.#lastSource) ?? 'never'} s without ${source}`, true);
    this.#note({ kind: 'lease', action: 'granted', holder: from!, epoch: rec.epoch, message: `lease ${rec.epoch} granted to ${from} (last heard ${this.#c.monitor?.source?.name} ${agoS(this.#lastSource) ?? 'never'} s ago)` });
    this.#hooks.alert?.('lease-granted', 'critical', `The witness gave ${from} the right to serve mail (lease ${rec.epoch}): it has not heard ${this.#c.monitor?.source?.name} for ${agoS(this.#lastSource) ?? 'ever'} s.`);
    return { ok: true, granted: true, ...rec, ...this.#key() };
  }

  /** The key that opens a target's sealed directory account: handed out only with the grant, and to the holder within KEY_WINDOW_MS of it. */
  #key(): { key?: string } {
    return this.#c.leaseKey ? { key: this.#c.leaseKey } : {};
  }

  /** The host that may serve hands that right to another of the job's hosts itself (a planned switchover, a failback). */
  handover(from: string | null, to: unknown): Record<string, unknown> {
    if (!this.#lease) return { error: `${this.#c.host} is not the witness` };
    const cur = this.#lease.get();
    if (typeof to !== 'string' || !to || to === from) return { error: 'say which host takes over' };
    if (cur.active === to) return { ok: true, granted: true, ...cur };
    if (from !== cur.active) return { error: `${from} does not hold the lease (${cur.active} does), so it cannot hand it over` };
    if (this.#lease.blocked) return { error: this.#lease.blocked };
    const rec = this.#lease.grant(to, `${from} handed it over`);
    this.#note({ kind: 'lease', action: 'handed-over', holder: to, epoch: rec.epoch, message: `${from} handed the lease to ${to} (lease ${rec.epoch})` });
    return { ok: true, granted: true, ...rec };
  }

  async #roundTrip(peer: { name: string; address: string; port: number }, header: Record<string, unknown>): Promise<Record<string, unknown> | null> {
    try {
      return await ask(this.#tls, this.#c.jobId, peer, header, this.#t.rttMaxS * 1000);
    } catch {
      return null;
    }
  }

  async #tick(): Promise<void> {
    const m = this.#c.monitor!;
    if (this.#c.role === 'source') {
      const sentAt = bootNowMs();
      const w = m.witness ? await this.#roundTrip(m.witness, { op: 'heartbeat' }) : null;
      if (w?.ok && w.active === this.#c.host && !w.blocked) this.#witnessAffirmedAt = sentAt;
      // A target answered since the last step (the targets' heartbeats run on their own).
      const targetOk = this.#targetAnsweredAt !== null && this.#targetAnsweredAt >= this.#stepAt;
      this.#stepAt = performance.now();
      const view = await this.#fence!.step(this.#stepAt, targetOk, w?.ok ? { active: String(w.active), epoch: Number(w.epoch), blocked: typeof w.blocked === 'string' ? w.blocked : null } : null, () => this.admits(), () => this.#standbysAffirm());
      this.#show({ role: 'source', ...view });
    } else if (this.#c.role === 'target') {
      await this.#targetTick(m);
    } else {
      const l = this.#lease?.get();
      this.#show({ role: 'witness', sourceAgoS: agoS(this.#lastSource), active: l?.active ?? '', epoch: l?.epoch ?? 0, ...(l?.blocked ? { blocked: l.blocked } : {}) });
    }
  }

  async #targetTick(m: NonNullable<AgentConfig['monitor']>): Promise<void> {
    const w = m.witness ? await this.#roundTrip(m.witness, { op: 'witness-status' }) : null;
    if (w?.ok) this.#witnessSaid = { active: String(w.active), blocked: typeof w.blocked === 'string' };
    // A request that settled long ago while the witness names another host: this standby holds no lease, and answers as one again.
    if (w?.ok && String(w.active) !== this.#c.host && !this.#asking) {
      const settled = settleAsking(this.#c.stateDir);
      if (settled.length) this.#note({ kind: 'monitor', message: `the witness names ${String(w.active)}, so ${settled.length === 1 ? 'the request for the lease made over a minute ago is' : `${settled.length} requests for the lease made over a minute ago are`} over; ${this.#c.host} answers as a standby again` });
    }
    const seen = w && typeof w.sourceAgoS === 'number' ? w.sourceAgoS < this.#t.suspectAfterS : w ? false : null;
    // A plan run by the app (failover, failback) says where it stands in the phase file.
    const phase = readPhase(this.#c.stateDir);
    if (phase && phase.phase !== this.#state) this.#setState(phase.phase, `the ${phase.phase === 'failing-back' ? 'failback' : 'failover'} plan says so`);
    if (!phase && (this.#state === 'failed-over' || this.#state === 'failing-over' || this.#state === 'failing-back')) this.#setState('healthy', 'the failback finished');
    const next = monitorState(this.#state, { now: performance.now(), lastHeartbeat: this.#lastSource, witnessSeesSource: seen, mode: m.mode }, this.#t);
    const heard = agoS(this.#lastSource);
    if (next !== this.#state) this.#setState(next, `${heard === null ? `nothing heard from ${m.source?.name}` : `last heartbeat from ${m.source?.name} ${heard} s ago`}; the witness ${seen === null ? 'cannot be asked' : seen ? 'still reaches it' : 'does not reach it either'}`);
    this.#alertLastingSuspicion();
    // The lease is back with the source (a failback): a standby that was not chosen is a plain standby again, and may ask next time.
    if (this.#leaseHolder && w?.ok && String(w.active) === m.source?.name && !phase) {
      this.#note({ kind: 'monitor', message: `the witness names ${m.source?.name} again; ${this.#c.host} is a standby as before` });
      this.#leaseHolder = null;
      this.#attempted = false;
    }
    // Automatic mode: once the source is lost (or, after a restart, to finish a failover cut short), one attempt per agent run.
    const due = shouldFailOver(this.#state, m.mode, false) || (m.mode === 'automatic' && this.#state === 'failing-over');
    if (due && !this.#attempted && m.witness && this.#hooks.failover) {
      // Announced before the promise is checked, and both before the witness is asked (promise.ts).
      this.#asking = true;
      const marker = beginAsking(this.#c.stateDir);
      const bound = promiseLeftS(this.#c.stateDir, standbyPromiseS(this.#t));
      const lease = bound > 0 ? null : await this.#roundTrip(m.witness, { op: 'lease' });
      if (bound > 0) this.#note({ kind: 'monitor', message: `${this.#c.host} answered ${m.source?.name} as a standby lately; it asks for the lease in ${Math.ceil(bound)} s at the earliest` });
      if (lease?.granted !== true) {
        this.#asking = false;
        // Not asked at all, or an answer that is no grant: a standby again. No answer: the witness may have granted it, so the marker stays.
        if (bound > 0 || lease !== null) endAsking(this.#c.stateDir, marker);
      }
      if (typeof lease?.holder === 'string' && lease.holder !== this.#leaseHolder) {
        // Another standby took over: this one stays fenced (its services stay stopped) and says so.
        this.#leaseHolder = lease.holder;
        this.#attempted = true;
        this.#note({ kind: 'monitor', message: `${lease.holder} holds the lease; ${this.#c.host} stays a fenced standby` });
        this.#hooks.alert?.('standby-not-chosen', 'warning', `${lease.holder} took over ${m.source?.name}'s mail; ${this.#c.host} stays a standby and serves nothing.`);
      }
      if (lease?.granted === true) {
        this.#attempted = true;
        this.#setState('failing-over', `the witness granted lease ${String(lease.epoch)}`);
        const error = await this.#hooks.failover(typeof lease.key === 'string' ? lease.key : null);
        this.#failoverError = error ?? undefined;
        if (error) this.#hooks.alert?.('failover-failed', 'critical', `The failover to ${this.#c.host} stopped: ${error}`);
      } else if (lease) this.#note({ kind: 'monitor', message: `the witness did not grant the lease: ${String(lease.reason ?? lease.error ?? 'no reason given')}` });
    }
    const quiet = agoS(this.#lastSource);
    this.#show({ role: 'target', state: this.#state, since: this.#since, quietS: quiet, timeoutS: this.#t.timeoutS, countdownS: this.#state === 'source-suspect' && quiet !== null ? Math.max(0, this.#t.timeoutS - quiet) : null,
      witnessSeesSource: seen, mode: m.mode, active: w?.ok ? String(w.active) : null, epoch: w?.ok ? Number(w.epoch) : null, ...(this.#failoverError ? { failoverError: this.#failoverError } : {}),
      ...(this.#leaseHolder || (w?.ok && w.active && w.active !== this.#c.host && w.active !== m.source?.name) ? { leaseHolder: this.#leaseHolder ?? String(w!.active) } : {}) });
  }

  #setState(next: MonitorState, why: string): void {
    if (next === this.#state) return;
    this.#note({ kind: 'monitor', from: this.#state, to: next, message: `${this.#state} → ${next} (${why})` });
    if (alertsOnChange(this.#state, next, this.#suspectSent)) this.#alertState(next, why);
    this.#suspectSent = false;
    this.#state = next;
    this.#since = Date.now();
    this.#why = why;
  }

  #alertState(state: MonitorState, why: string): void {
    const severity = state === 'healthy' ? 'info' : state === 'source-suspect' ? 'warning' : 'critical';
    this.#hooks.alert?.(`monitor-${state}`, severity, `${this.#c.host} now sees ${this.#c.monitor?.source?.name ?? 'the source'} as ${state.replace(/-/g, ' ')} (${why}).`);
  }

  /** A suspicion that has lasted is sent once, with what it was first based on and how long it has lasted. */
  #alertLastingSuspicion(): void {
    if (this.#state !== 'source-suspect' || this.#suspectSent || Date.now() - this.#since < SUSPECT_ALERT_AFTER_S * 1000) return;
    this.#suspectSent = true;
    this.#alertState('source-suspect', `for ${Math.round((Date.now() - this.#since) / 1000)} s; at first: ${this.#why}`);
  }

  #show(view: MonitorView): void {
    this.#st.state.monitor = view;
    this.#st.touch();
  }
}
