/**
 * The failover monitor's live part: the source heartbeats to its targets and the witness
 * (one round trip each, every second, over the job's mutual TLS); the witness remembers when
 * it last heard the source; a target watches the source and asks the witness for a second
 * opinion, and keeps its state (healthy, source suspect, source lost) in state.json, each
 * change logged. Decisions are the pure rules of rules.ts, on this host's monotonic clock.
 * Acting on them (fencing, the lease, the failover plan) is built on this.
 */
import { performance } from 'node:perf_hooks';
import type { AgentConfig } from '../config.ts';
import type { StateFile } from '../state.ts';
import { ask, type TlsMaterial } from '../peer.ts';
import { DEFAULT_TIMING, monitorState, sourceMustFence, type MonitorState, type MonitorTiming, type MonitorView } from './rules.ts';

const agoS = (at: number | null) => (at === null ? null : Math.round((performance.now() - at) / 100) / 10);

export class Monitor {
  readonly #c: AgentConfig;
  readonly #tls: TlsMaterial;
  readonly #st: StateFile;
  readonly #t: MonitorTiming;
  #lastSource: number | null = null;
  #lastTarget: number | null = null;
  #lastWitness: number | null = null;
  #state: MonitorState = 'healthy';
  #since = Date.now();
  #timer: NodeJS.Timeout | null = null;

  constructor(c: AgentConfig, tls: TlsMaterial, st: StateFile) {
    this.#c = c;
    this.#tls = tls;
    this.#st = st;
    this.#t = { ...DEFAULT_TIMING, timeoutS: c.monitor?.timeoutSeconds ?? DEFAULT_TIMING.timeoutS };
  }

  start(): void {
    if (!this.#c.monitor) return;
    const tick = () => void this.#tick().catch((e: unknown) => this.#st.log(`monitor: ${(e as Error).message}`)).finally(() => {
      this.#timer = setTimeout(tick, this.#t.heartbeatS * 1000);
    });
    tick();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** A heartbeat arrived; only the job's source counts. */
  onHeartbeat(from: string | null): boolean {
    if (from !== this.#c.monitor?.source?.name) return false;
    this.#lastSource = performance.now();
    return true;
  }

  /** The witness's answer to a target: how long since it last heard the source. */
  witnessStatus(): { sourceAgoS: number | null } {
    return { sourceAgoS: agoS(this.#lastSource) };
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
      const beats = await Promise.all([
        ...this.#c.targets.map((t) => this.#roundTrip({ name: t.name, address: t.address, port: t.port }, { op: 'heartbeat' })),
        m.witness ? this.#roundTrip(m.witness, { op: 'heartbeat' }) : Promise.resolve(null),
      ]);
      const now = performance.now();
      if (beats.slice(0, -1).some((b) => b?.ok)) this.#lastTarget = now;
      if (beats.at(-1)?.ok) this.#lastWitness = now;
      this.#show({ role: 'source', lastTargetAgoS: agoS(this.#lastTarget), lastWitnessAgoS: agoS(this.#lastWitness), fenceDue: sourceMustFence(now, this.#lastTarget, this.#lastWitness, this.#t) });
    } else if (this.#c.role === 'target') {
      const w = m.witness ? await this.#roundTrip(m.witness, { op: 'witness-status' }) : null;
      const seen = w && typeof w.sourceAgoS === 'number' ? w.sourceAgoS < this.#t.suspectAfterS : w ? false : null;
      const now = performance.now();
      const next = monitorState(this.#state, { now, lastHeartbeat: this.#lastSource, witnessSeesSource: seen, mode: m.mode }, this.#t);
      if (next !== this.#state) {
        this.#st.log(`monitor: ${this.#state} → ${next} (last heartbeat from ${m.source?.name} ${agoS(this.#lastSource) ?? 'never'} s ago; the witness ${seen === null ? 'cannot be asked' : seen ? 'still reaches it' : 'does not reach it either'})`);
        this.#state = next;
        this.#since = Date.now();
      }
      const quiet = agoS(this.#lastSource);
      this.#show({ role: 'target', state: next, since: this.#since, quietS: quiet, timeoutS: this.#t.timeoutS, countdownS: next === 'source-suspect' && quiet !== null ? Math.max(0, this.#t.timeoutS - quiet) : null, witnessSeesSource: seen, mode: m.mode });
    } else {
      this.#show({ role: 'witness', sourceAgoS: agoS(this.#lastSource) });
    }
  }

  #show(view: MonitorView): void {
    this.#st.state.monitor = view;
    this.#st.touch();
  }
}
