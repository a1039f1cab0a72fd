/** What the agent knows and says about itself, kept on the host: state.json (written whole, then renamed), events.jsonl and agent.log. */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { sortedPoints } from '../../shared/points.ts';
import { join } from 'node:path';
import { replaceFileAsync, writeDurably } from './durable.ts';

// One schema for what the agent writes and the app reads (shared/agent-state.ts).
export type { AgentState, CompletedSend } from '../../shared/agent-state.ts';
export type { AgentTargetState as TargetState } from '../../shared/agent-state.ts';
import { agentStateSchema, type AgentState } from '../../shared/agent-state.ts';
import type { AgentEventInput } from '../../shared/agent-events.ts';

/** What a restart keeps of the state before it: the host's history (each target's record and counters, the points, what was alerted), not the process's. */
export type KeptState = Pick<AgentState, 'targets' | 'pointBytes' | 'points' | 'received'> & { alerted: Record<string, string>; tripwire?: AgentState['tripwire'] };

/** Where the agent starting keeps its points (a standby: those it received), and in which role it starts. */
export interface RestartOf { role: AgentState['role']; pointsDir: string | null }

const object = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x as Record<string, unknown> : {});
const KEY_MAX = 200;
/** A state file is kilobytes; one far larger is damaged, and is not read into memory at start. */
const STATE_MAX_BYTES = 16 << 20;
const NONE_RECEIVED: AgentState['received'] = { count: 0, newest: null, newestAt: null, lastFrom: null };

interface Schema<T> { safeParse(x: unknown): { success: true; data: T } | { success: false } }
const fits = <T>(schema: Schema<T>, x: unknown): T | null => {
  const r = schema.safeParse(x);
  return r.success ? r.data : null;
};

/**
 * The entries of a kept record whose key and value fit its schema, each on its own (one damaged entry
 * does not cost the others). No "__proto__" key: the app's parser drops it, so it would only ride along.
 */
function keptEntries<V>(x: unknown, record: { keyType: Schema<string>; valueType: Schema<V> }): Record<string, V> {
  return Object.fromEntries(Object.entries(object(x)).flatMap(([k, v]) => {
    const value = k.length <= KEY_MAX && k !== '__proto__' && fits(record.keyType, k) !== null ? fits(record.valueType, v) : null;
    return value === null ? [] : [[k, value] as const];
  }));
}

/**
 * Reads what the last agent wrote and keeps what survives a restart, for the new StateFile's first write: a
 * status read, or another restart, right after this one must not find the targets' records gone (a crash
 * in that window would lose them for good), nor a standby's points while it checks them again.
 * - Each piece is kept only if it fits the schema the app reads with: a damaged file must neither stop
 *   the agent from starting nor be carried on, refused by every status read.
 * - The points only in the same role (a standby that took over starts as a source at failback, and its
 *   received points are not a source's), only those still in the folder (a kill between a prune and
 *   the next write leaves deleted ones named), each once. A standby's `received` is said from them.
 * - Not kept, as the process's own: a send under way, and whom the last point came from (`synced`
 *   waits for one received since the start).
 */
export function keptFromBefore(dir: string, now: RestartOf): KeptState {
  let before: Record<string, unknown> = {};
  try {
    const file = join(dir, 'state.json');
    if (statSync(file).size <= STATE_MAX_BYTES) before = object(JSON.parse(readFileSync(file, 'utf8')));
  } catch { /* first start */ }
  const targets = Object.fromEntries(Object.entries(keptEntries(before.targets, agentStateSchema.shape.targets)).map(([k, t]) => [k, { ...t, state: 'connecting' as const, current: null }]));
  const pointBytes = keptEntries(before.pointBytes, agentStateSchema.shape.pointBytes.unwrap());
  const alerted = keptEntries(before.alerted, agentStateSchema.shape.alerted.unwrap());
  const tripwire = fits(agentStateSchema.shape.tripwire, before.tripwire);
  let here: Set<string>;
  try {
    here = new Set(now.pointsDir ? readdirSync(now.pointsDir) : []);
  } catch {
    here = new Set();
  }
  // Not the one being received when the last agent stopped: a name received again (deleted outside the agent) can be partial.
  here.delete(String(object(before.receiving).point));
  const points = before.role === now.role ? sortedPoints([...new Set(fits(agentStateSchema.shape.points, before.points) ?? [])].filter((p) => here.has(p))) : [];
  const newest = now.role === 'target' ? points.at(-1) : undefined;
  return {
    targets, pointBytes, alerted, points: points.map((p) => p.name),
    received: newest ? { count: points.length, newest: newest.name, newestAt: newest.at, lastFrom: null } : NONE_RECEIVED,
    ...(tripwire ? { tripwire } : {}),
  };
}

export class StateFile {
  readonly state: AgentState;
  readonly #dir: string;
  #timer: NodeJS.Timeout | null = null;
  /** The writes off the event loop, one after the other (each writes the state as it is when its turn comes). */
  #writes: Promise<void> = Promise.resolve();
  /** A routine save queued and not yet begun: another asked meanwhile is the same write (it will write the state as it is then). */
  #waiting: Promise<void> | null = null;
  /** Counts the writes on the event loop: a queued write begun before one of them and not yet renamed is not renamed after it. */
  #syncWrites = 0;
  /** Closing (at exit): no queued write begins any more. */
  #closed = false;
  constructor(dir: string, init: Omit<AgentState, 'updatedAt' | 'pointBytes' | 'held'> & Partial<Pick<AgentState, 'pointBytes' | 'held'>>) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#dir = dir;
    this.state = { pointBytes: {}, held: [], ...init, updatedAt: Date.now() };
    this.flush();
  }

  /** The state file of an agent starting: its first write already holds what it keeps from the last one (keptFromBefore). */
  static afterRestart(dir: string, init: Omit<ConstructorParameters<typeof StateFile>[1], keyof KeptState>, pointsDir: string | null): StateFile {
    return new StateFile(dir, { ...init, ...keptFromBefore(dir, { role: init.role, pointsDir }) });
  }

  /** Writes soon (at most a few times a second), off the event loop. */
  touch(): void {
    this.#timer ??= setTimeout(() => { this.#timer = null; this.saveSoon(); }, 200);
  }

  /**
   * Writes now, off the event loop: replacing the file can wait on the disk (ext4 frees the old file's
   * blocks at the rename, a discard on a volume mounted with it), and the agent's heartbeats and the
   * stream it relays must not. Measured in the lab while a send streamed: the relay's thread stopped
   * in that discard, and the send stopped behind it. Not fsynced: for facts a plan relies on, `flushDurably`.
   */
  save(): Promise<void> {
    if (this.#waiting) return this.#waiting;
    const p = this.#queue({ tmpSuffix: 'async.tmp', fsync: false }, () => { this.#waiting = null; });
    this.#waiting = p;
    return p;
  }

  /** `save` for a caller that does not wait: a failure is noted, never thrown (a disk that refuses writes shows in the liveness stamp, which the supervisor watches). */
  saveSoon(durably = false): void {
    (durably ? this.flushDurably() : this.save()).catch((e: unknown) => {
      try {
        this.note({ kind: 'agent', action: 'error', message: `the state could not be written: ${(e as Error).message}` });
      } catch { /* the same disk */ }
    });
  }

  /**
   * At exit: no queued write begins after this, the one under way is awaited (at most `ms`: a disk that
   * hangs must not hold the exit), then the state is written at once, to the disk. So no older write
   * lands after the last one.
   */
  async close(ms = 2000): Promise<void> {
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#writes, new Promise<void>((r) => { timer = setTimeout(r, ms); })]);
    clearTimeout(timer);
    this.flush();
  }

  /** Writes at once, on the event loop and to the disk: at start, and at exit from close(). */
  flush(): void {
    this.#cancelTouch();
    this.#syncWrites++;
    this.state.updatedAt = Date.now();
    // To the disk: a durable write still queued is skipped after it (see #queue), and what it would have kept is in this one.
    writeDurably(join(this.#dir, 'state.json'), JSON.stringify(this.state));
  }

  /**
   * Writes now and to the disk: for facts a later plan relies on (which point a target confirmed,
   * what failback reads to tell what diverged, an alert sent), so a power cut right after them does not lose them.
   * Off the event loop; one at a time (a later one waits for the one under way, then writes the state as it is then).
   * Once closing, it writes nothing: close() writes the state to the disk itself.
   */
  flushDurably(): Promise<void> {
    return this.#queue({ tmpSuffix: 'durable.tmp', fsync: true });
  }

  /** Before a write: the pending touch would only write the same state again. */
  #cancelTouch(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** A write after those before it (its own failure is its caller's; the next write goes on regardless). */
  #queue(o: { tmpSuffix: string; fsync: boolean }, begins: () => void = () => undefined): Promise<void> {
    this.#cancelTouch();
    const turn = async () => {
      begins();
      if (this.#closed) return;
      this.state.updatedAt = Date.now();
      const syncWrites = this.#syncWrites;
      return replaceFileAsync(join(this.#dir, 'state.json'), JSON.stringify(this.state), { ...o, wanted: () => this.#syncWrites === syncWrites });
    };
    const done = this.#writes.then(turn, turn);
    this.#writes = done.catch(() => undefined);
    return done;
  }

  /**
   * Writes what happened: the record to events.jsonl (what the app and the tests read), the same
   * in words to agent.log (what a person at the host reads). Each is rotated at 5 MB.
   */
  note(e: AgentEventInput): void {
    const at = Date.now();
    // Within the schema's bounds, or a reader would leave the record out.
    const message = e.message.length > 4000 ? `${e.message.slice(0, 3999)}…` : e.message;
    appendRotated(join(this.#dir, 'events.jsonl'), `${JSON.stringify({ at, ...e, message })}\n`);
    appendRotated(join(this.#dir, 'agent.log'), `${new Date(at).toISOString()} ${e.kind}: ${message}\n`);
  }
}

function appendRotated(file: string, text: string): void {
  try {
    if (statSync(file).size > 5 * 2 ** 20) renameSync(file, `${file}.1`);
  } catch { /* not written yet */ }
  appendFileSync(file, text, { mode: 0o600 });
}
