/** What the agent knows and says about itself, kept on the host: state.json (written whole, then renamed) and agent.log. */
import { appendFileSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TargetState {
  /** connecting · sending · idle (up to date) · error */
  state: 'connecting' | 'sending' | 'idle' | 'error';
  /** The newest point the target has confirmed. */
  lastPoint: string | null;
  lastPointAt: number | null;
  /** The parent of the last send; null: it was a full send. */
  lastParent: string | null;
  fullSends: number;
  sends: number;
  bytesRaw: number;
  bytesWire: number;
  /** The send under way; a full send (initial sync) carries an estimate of its size, for progress and ETA. */
  current: { point: string; parent: string | null; startedAt: number; bytesRaw: number; bytesWire: number; estimateBytes: number | null } | null;
  lastError: string | null;
  limitBytesPerSecond: number | null;
  /** The last completed send: how long it took and what it carried (throughput, compression). */
  lastSend: CompletedSend | null;
  /** The last full send (the initial sync, or a resync with no common point). */
  lastFullSend: CompletedSend | null;
}

export interface CompletedSend { point: string; parent: string | null; startedAt: number; endedAt: number; bytesRaw: number; bytesWire: number }

export interface AgentState {
  version: string;
  jobId: string;
  host: string;
  role: string;
  pid: number;
  /** The runtime it runs on (its own, shipped beside it). */
  node: string;
  startedAt: number;
  updatedAt: number;
  /** The SHA-256 of the configuration file this process runs on (after a reload, the new one). */
  configSha256: string;
  /** Source: points on this host; target: complete points received. */
  points: string[];
  targets: Record<string, TargetState>;
  received: { count: number; newest: string | null; newestAt: number | null; lastFrom: string | null };
  /** Target: the point being received now, and how far it has come (bytes of the stream, when the last arrived). */
  receiving?: { point: string; from: string | null; bytes: number; lastAt: number } | null;
  /** The failover monitor's view from this host. */
  monitor?: import('./monitor/rules.ts').MonitorView;
}

export class StateFile {
  readonly state: AgentState;
  readonly #dir: string;
  #timer: NodeJS.Timeout | null = null;
  constructor(dir: string, init: Omit<AgentState, 'updatedAt'>) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#dir = dir;
    this.state = { ...init, updatedAt: Date.now() };
    this.flush();
  }

  /** Writes soon (at most a few times a second). */
  touch(): void {
    this.#timer ??= setTimeout(() => { this.#timer = null; this.flush(); }, 200);
  }

  flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.state.updatedAt = Date.now();
    const tmp = join(this.#dir, 'state.json.tmp');
    writeFileSync(tmp, JSON.stringify(this.state), { mode: 0o600 });
    renameSync(tmp, join(this.#dir, 'state.json'));
  }

  log(message: string): void {
    const file = join(this.#dir, 'agent.log');
    try {
      if (statSync(file).size > 5 * 2 ** 20) renameSync(file, `${file}.1`);
    } catch { /* no log yet */ }
    appendFileSync(file, `${new Date().toISOString()} ${message}\n`, { mode: 0o600 });
  }
}
