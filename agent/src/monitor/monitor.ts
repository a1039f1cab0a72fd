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
import type { AgentConfig } from '../config.ts';
import type { StateFile } from '../state.ts';
import { ask, type TlsMaterial } from '../peer.ts';
import { LeaseStore } from './lease.ts';
import { SourceFence } from './fence.ts';
import type { ServiceSpec } from './services.ts';
import { readPhase } from './phase.ts';
import { DEFAULT_TIMING, SUSPECT_ALERT_AFTER_S, alertsOnChange, monitorState, shouldFailOver, witnessMayGrant, type MonitorState, type MonitorTiming, type MonitorView } from './rules.ts';

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
    this.#t = { ...DEFAULT_TIMING, timeoutS: c.monitor?.timeoutSeconds ?? DEFAULT_TIMING.timeoutS };
    // The witness and a target count their own start as a contact: a restarted witness cannot grant early, and a
    // target that just started does not call a source it has not heard yet suspect (nor alert about it).
    this.#lastSource = c.role === 'source' ? null : performance.now();
    if (c.role === 'witness' && c.monitor?.source) this.#lease = new LeaseStore(c.stateDir, c.monitor.source.name);
    if (c.role === 'source' && c.monitor) this.#fence = new SourceFence(c.host, services, !!c.monitor.witness, this.#t, (m) => this.#log(m), hooks.alert);
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
      void this.#tick().catch((e: unknown) => this.#log(`monitor: ${(e as Error).message}`)).finally(() => {
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
      void this.#roundTrip({ name: t.name, address: t.address, port: t.port }, { op: 'heartbeat' }).then((b) => {
        if (b?.ok) this.#targetAnsweredAt = performance.now();
      }).finally(() => this.#inFlight.delete(t.name));
    }
  }

  #log(m: string): void {
    this.#st.log(m);
  }

  /** A heartbeat arrived; only the job's source counts. The answer carries the lease, so the source learns of a failover at once. */
  onHeartbeat(from: string | null): Record<string, unknown> {
    if (from !== this.#c.monitor?.source?.name) return { error: `${from} is not this job's source` };
    this.#lastSource = performance.now();
    this.#lease?.markHeard(from);
    return { ok: true, ...(this.#lease ? this.#lease.get() : {}) };
  }

  /** The witness's answer to a target: how long since it last heard the source, and the lease. */
  witnessStatus(): Record<string, unknown> {
    if (!this.#lease) return { error: `${this.#c.host} is not the witness` };
    return { ok: true, sourceAgoS: agoS(this.#lastSource), ...this.#lease.get() };
  }

  /** A target asks for the lease: granted only when the witness itself has not heard the source for long enough. */
  leaseRequest(from: string | null): Record<string, unknown> {
    if (!this.#lease) return { error: `${this.#c.host} is not the witness` };
    const cur = this.#lease.get();
    if (from && cur.active === from) return { ok: true, granted: true, ...cur, ...this.#key() };
    if (!from || from === this.#c.monitor?.source?.name) return { ok: true, granted: false, ...cur, reason: `${from} is not a standby of this job` };
    const source = this.#c.monitor?.source?.name ?? '';
    if (!this.#lease.everHeard(source)) return { ok: true, granted: false, ...cur, reason: `the witness has not heard ${source} once since the job was protected (it may still be starting); it grants no lease before it has` };
    if (!witnessMayGrant(performance.now(), this.#lastSource, this.#t)) {
      return { ok: true, granted: false, ...cur, reason: `the witness heard ${this.#c.monitor?.source?.name} ${agoS(this.#lastSource)} s ago; it grants the lease only after ${this.#t.grantAfterS} s of silence` };
    }
    const rec = this.#lease.grant(from);
    this.#log(`witness: lease ${rec.epoch} granted to ${from} (last heard ${this.#c.monitor?.source?.name} ${agoS(this.#lastSource) ?? 'never'} s ago)`);
    this.#hooks.alert?.('lease-granted', 'critical', `The witness gave ${from} the right to serve mail (lease ${rec.epoch}): it has not heard ${this.#c.monitor?.source?.name} for ${agoS(this.#lastSource) ?? 'ever'} s.`);
    return { ok: true, granted: true, ...rec, ...this.#key() };
  }

  /** The key that opens a target's sealed directory account, handed out only with the lease. */
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
    const rec = this.#lease.grant(to);
    this.#log(`witness: ${from} handed the lease to ${to} (lease ${rec.epoch})`);
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
      const w = m.witness ? await this.#roundTrip(m.witness, { op: 'heartbeat' }) : null;
      // A target answered since the last step (the targets' heartbeats run on their own).
      const targetOk = this.#targetAnsweredAt !== null && this.#targetAnsweredAt >= this.#stepAt;
      this.#stepAt = performance.now();
      const view = await this.#fence!.step(this.#stepAt, targetOk, w?.ok ? { active: String(w.active), epoch: Number(w.epoch) } : null);
      this.#show({ role: 'source', ...view });
    } else if (this.#c.role === 'target') {
      await this.#targetTick(m);
    } else {
      const l = this.#lease?.get();
      this.#show({ role: 'witness', sourceAgoS: agoS(this.#lastSource), active: l?.active ?? '', epoch: l?.epoch ?? 0 });
    }
  }

  async #targetTick(m: NonNullable<AgentConfig['monitor']>): Promise<void> {
    const w = m.witness ? await this.#roundTrip(m.witness, { op: 'witness-status' }) : null;
    const seen = w && typeof w.sourceAgoS === 'number' ? w.sourceAgoS < this.#t.suspectAfterS : w ? false : null;
    // A plan run by the app (failover, failback) says where it stands in the phase file.
    const phase = readPhase(this.#c.stateDir);
    if (phase && phase.phase !== this.#state) this.#setState(phase.phase, `the ${phase.phase === 'failing-back' ? 'failback' : 'failover'} plan says so`);
    if (!phase && (this.#state === 'failed-over' || this.#state === 'failing-over' || this.#state === 'failing-back')) this.#setState('healthy', 'the failback finished');
    const next = monitorState(this.#state, { now: performance.now(), lastHeartbeat: this.#lastSource, witnessSeesSource: seen, mode: m.mode }, this.#t);
    const heard = agoS(this.#lastSource);
    if (next !== this.#state) this.#setState(next, `${heard === null ? `nothing heard from ${m.source?.name}` : `last heartbeat from ${m.source?.name} ${heard} s ago`}; the witness ${seen === null ? 'cannot be asked' : seen ? 'still reaches it' : 'does not reach it either'}`);
    this.#alertLastingSuspicion();
    // Automatic mode: once the source is lost (or, after a restart, to finish a failover cut short), one attempt per agent run.
    const due = shouldFailOver(this.#state, m.mode, false) || (m.mode === 'automatic' && this.#state === 'failing-over');
    if (due && !this.#attempted && m.witness && this.#hooks.failover) {
      const lease = await this.#roundTrip(m.witness, { op: 'lease' });
      if (lease?.granted === true) {
        this.#attempted = true;
        this.#setState('failing-over', `the witness granted lease ${String(lease.epoch)}`);
        const error = await this.#hooks.failover(typeof lease.key === 'string' ? lease.key : null);
        this.#failoverError = error ?? undefined;
        if (error) this.#hooks.alert?.('failover-failed', 'critical', `The failover to ${this.#c.host} stopped: ${error}`);
      } else if (lease) this.#log(`monitor: the witness did not grant the lease: ${String(lease.reason ?? lease.error ?? 'no reason given')}`);
    }
    const quiet = agoS(this.#lastSource);
    this.#show({ role: 'target', state: this.#state, since: this.#since, quietS: quiet, timeoutS: this.#t.timeoutS, countdownS: this.#state === 'source-suspect' && quiet !== null ? Math.max(0, this.#t.timeoutS - quiet) : null,
      witnessSeesSource: seen, mode: m.mode, active: w?.ok ? String(w.active) : null, epoch: w?.ok ? Number(w.epoch) : null, ...(this.#failoverError ? { failoverError: this.#failoverError } : {}) });
  }

  #setState(next: MonitorState, why: string): void {
    if (next === this.#state) return;
    this.#log(`monitor: ${this.#state} → ${next} (${why})`);
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
