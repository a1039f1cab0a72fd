/**
 * What happens on an agent, as records: one JSON object a line in the agent's events.jsonl
 * (its agent.log keeps the same in words, for a person at the host). The dashboard's event
 * log, `status`, the tests and whatever else reads an agent's history read these records and
 * their fields — never the text of a log line.
 */
import { z } from 'zod';

const base = { at: z.number(), message: z.string().max(4000) };
const name = z.string().max(200);

export const agentEventSchema = z.discriminatedUnion('kind', [
  /** The agent itself: started, stopping, or a failure of its own (it cannot listen, a point cannot be taken). */
  z.object({ kind: z.literal('agent'), ...base, action: z.enum(['started', 'stopping', 'error']) }),
  /** A new configuration: taken in place (with what changed), needing a restart, or refused. */
  z.object({ kind: z.literal('config'), ...base, action: z.enum(['reloaded', 'restart', 'refused']), changes: z.array(z.string()).default([]) }),
  /** A target's failover monitor: a change of state (from → to), or what it learned from the witness. */
  z.object({ kind: z.literal('monitor'), ...base, from: z.string().optional(), to: z.string().optional() }),
  /** The source's fence: a change of state (serving, fenced, handed-over, unconfirmed). */
  z.object({ kind: z.literal('fence'), ...base, from: z.string(), to: z.string() }),
  /** The witness and its lease: granted, refused, handed over, or blocked (no one may serve). */
  z.object({ kind: z.literal('lease'), ...base, action: z.enum(['granted', 'refused', 'handed-over', 'blocked']), holder: name.optional(), epoch: z.number().optional() }),
  /** Mail admission on this host turned on or off. */
  z.object({ kind: z.literal('admission'), ...base, admit: z.boolean() }),
  /** A mail service the agent owns. */
  z.object({ kind: z.literal('services'), ...base, action: z.enum(['started', 'stopped', 'killed', 'failed', 'still-running']), service: name.optional() }),
  /** A step of an automatic failover's plan (1-based), or its outcome. */
  z.object({ kind: z.literal('failover'), ...base, status: z.string().max(40), step: z.number().optional(), of: z.number().optional(), description: z.string().max(2000).optional() }),
  /** An alert to the job's receivers (the monitor, failovers, RPO thresholds), or one that could not be delivered. */
  z.object({ kind: z.literal('alert'), ...base, event: name, severity: z.enum(['info', 'warning', 'critical']), undelivered: name.optional() }),
  /** Points on the way: a full send, a failing send, a receive that failed or was refused, points set aside, following. */
  z.object({ kind: z.literal('replication'), ...base, action: z.enum(['full-send', 'send-failing', 'received-full', 'receive-failed', 'refused', 'set-aside', 'follow-start', 'follow-stop', 'point-failed']), peer: name.optional(), point: name.optional() }),
  /** The agent's supervisor (agentd) fenced around it: a stale liveness stamp (the agent was killed), or a crash loop. */
  z.object({ kind: z.literal('supervisor'), ...base, action: z.enum(['stale', 'crash-loop']) }),
  /** A peer turned away before any request (another job's certificate, no valid request). */
  z.object({ kind: z.literal('peer'), ...base }),
  /** The metrics file could not be written where the job says. */
  z.object({ kind: z.literal('metrics'), ...base }),
]);

export type AgentEvent = z.infer<typeof agentEventSchema>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as its author gives it: the time is stamped when it is written. */
export type AgentEventInput = DistributiveOmit<z.input<typeof agentEventSchema>, 'at'>;
/** Where a part of the agent says what happened. */
export type Note = (e: AgentEventInput) => void;

/** An agent's events from its events.jsonl text, oldest first; a line that does not fit (cut by a crash, from another version) is left out. */
export function parseEvents(text: string): AgentEvent[] {
  const out: AgentEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let raw: unknown;
    try { raw = JSON.parse(line); } catch { continue; }
    const r = agentEventSchema.safeParse(raw);
    if (r.success) out.push(r.data);
  }
  return out;
}
