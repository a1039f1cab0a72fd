/**
 * What an agent says about itself in its state.json: one schema, written by the agent
 * (agent/src/state.ts) and parsed wherever it is read (the app's `status`, the dashboard, the
 * tests). Fields an older agent does not write are optional; a file that does not fit is refused
 * in one sentence rather than shown half-understood.
 */
import { z } from 'zod';
import { agentEventSchema } from './agent-events.ts';

const point = z.string().max(200);
const ms = z.number();

export const sendUnderWaySchema = z.object({ point, parent: point.nullable(), startedAt: ms, bytesRaw: z.number(), bytesWire: z.number(), estimateBytes: z.number().nullable() });
export const completedSendSchema = z.object({ point, parent: point.nullable(), startedAt: ms, endedAt: ms, bytesRaw: z.number(), bytesWire: z.number() });

/** The source agent's view of one target. */
export const agentTargetStateSchema = z.object({
  /** connecting · sending · idle (up to date) · error */
  state: z.enum(['connecting', 'sending', 'idle', 'error']),
  /** The newest point the target has confirmed. */
  lastPoint: point.nullable(),
  lastPointAt: ms.nullable(),
  /** The parent of the last send; null: it was a full send. */
  lastParent: point.nullable().default(null),
  sends: z.number(),
  fullSends: z.number(),
  bytesRaw: z.number(),
  bytesWire: z.number(),
  /** The send under way; a full send (initial sync) carries an estimate of its size, for progress and ETA. */
  current: sendUnderWaySchema.nullable(),
  lastError: z.string().nullable(),
  limitBytesPerSecond: z.number().nullable(),
  /** The last completed send: how long it took and what it carried (throughput, compression). */
  lastSend: completedSendSchema.nullable().default(null),
  /** The last full send (the initial sync, or a resync with no common point). */
  lastFullSend: completedSendSchema.nullable().default(null),
});

/** A point kept whatever the retention says until a person releases it (agent/src/holds.ts). */
export const holdSchema = z.object({ point, reason: z.string().max(500), at: ms });

export const FENCE_STATES = ['unconfirmed', 'serving', 'fenced', 'handed-over'] as const;
export const MONITOR_STATES = ['healthy', 'source-suspect', 'source-lost', 'failing-over', 'failed-over', 'failing-back'] as const;

/** The failover monitor as each host sees it. */
export const monitorViewSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('source'), lastTargetAgoS: z.number().nullable(), lastWitnessAgoS: z.number().nullable(), fenceDue: z.boolean(), fence: z.enum(FENCE_STATES), fenceSince: ms,
    active: z.string().nullable(), epoch: z.number().nullable(), servicesError: z.string().optional() }),
  z.object({ role: z.literal('target'), state: z.enum(MONITOR_STATES), since: ms, quietS: z.number().nullable(), timeoutS: z.number(), countdownS: z.number().nullable(), witnessSeesSource: z.boolean().nullable(),
    mode: z.enum(['automatic', 'alert']), active: z.string().nullable(), epoch: z.number().nullable(), failoverError: z.string().optional(),
    /** Another standby holds the lease: this one stays fenced. */
    leaseHolder: z.string().optional() }),
  z.object({ role: z.literal('witness'), sourceAgoS: z.number().nullable(), active: z.string(), epoch: z.number(), /** The lease cannot be trusted: no one may serve. */ blocked: z.string().optional() }),
]);

export const agentStateSchema = z.object({
  version: z.string(),
  jobId: z.string().default(''),
  host: z.string(),
  role: z.enum(['source', 'target', 'witness']),
  pid: z.number(),
  /** The runtime it runs on (its own, shipped beside it). */
  node: z.string(),
  startedAt: ms.default(0),
  updatedAt: ms,
  /** The SHA-256 of the configuration file this process runs on (after a reload, the new one). */
  configSha256: z.string().default(''),
  /** Source: points on this host; target: complete points received. */
  points: z.array(point),
  targets: z.record(z.string(), agentTargetStateSchema),
  received: z.object({ count: z.number(), newest: point.nullable(), newestAt: ms.nullable(), lastFrom: z.string().nullable().default(null) }),
  /** Target: the size of each point it holds, as the bytes of its send stream (what changed since its parent; a full send: all of it). */
  pointBytes: z.record(z.string(), z.number()).default({}),
  /** Target: points held from pruning until a person releases them; `holdsUnreadable`: the list cannot be read, so nothing is pruned. */
  held: z.array(holdSchema).default([]),
  holdsUnreadable: z.boolean().optional(),
  /** Target: the free space of its volume of points, looked at every ten seconds. */
  volume: z.object({ freeBytes: z.number(), totalBytes: z.number(), at: ms }).nullable().optional(),
  /** Target: the ransomware tripwire's memory (agent/src/tripwire.ts): its state, the job's pattern, and when it fired, the last clean point. */
  tripwire: z.object({
    state: z.enum(['learning', 'armed', 'fired', 'stands-aside']),
    shares: z.array(z.number()),
    suspects: z.array(z.object({ at: ms, point, paths: z.array(z.string().max(4096)), bytes: z.number() })),
    recent: z.array(point),
    firedAt: ms.nullable(),
    lastClean: point.nullable(),
    known: z.record(z.string().max(512), ms).optional(),
  }).optional(),
  /**
   * The threshold alerts this host sent whose clearing is still due (rpo-watch.ts, health-watch.ts), by condition:
   * kept across the agent's restarts, so a warning sent before one is still cleared after it, and not sent twice.
   */
  alerted: z.record(z.string().max(200), z.string().max(20)).optional(),
  /** Target: the point being received now, and how far it has come (bytes of the stream, when the last arrived). */
  receiving: z.object({ point, from: z.string().nullable(), bytes: z.number(), lastAt: ms }).nullable().optional(),
  /** The failover monitor's view from this host. */
  monitor: monitorViewSchema.optional(),
  /** The agent's newest event records (`status` adds them): the monitor's changes, fencing, the lease, failovers, alerts. */
  events: z.array(agentEventSchema).optional(),
});

export type SendUnderWay = z.infer<typeof sendUnderWaySchema>;
export type Hold = z.infer<typeof holdSchema>;
export type CompletedSend = z.infer<typeof completedSendSchema>;
export type AgentTargetState = z.infer<typeof agentTargetStateSchema>;
export type MonitorView = z.infer<typeof monitorViewSchema>;
export type AgentState = z.infer<typeof agentStateSchema>;

/** An agent's state as read from its host; a file that does not fit is refused with what did not. */
export function parseAgentState(text: string): AgentState {
  const r = agentStateSchema.safeParse(JSON.parse(text));
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new Error(`the agent's state does not fit what this version of Failguard reads (${i.path.join('.') || 'the file'}: ${i.message}); update the agent by protecting the job again`);
}
