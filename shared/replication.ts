/**
 * What the app reads from the agents (their state.json, over SSH) and the one view of it
 * that the CLI's `status` and the dashboard both show: per target, its state, initial sync
 * progress and time left, throughput, compression ratio and RPO (the age of the newest
 * consistency point the target holds). Pure: the caller gives the time.
 */
import type { Job } from './job.ts';
import { parsePoint } from './points.ts';

// What an agent writes about itself: one schema (agent-state.ts), parsed wherever it is read.
export type { AgentState, AgentTargetState, CompletedSend, SendUnderWay } from './agent-state.ts';
import type { AgentState, SendUnderWay } from './agent-state.ts';
import type { AgentEvent } from './agent-events.ts';
import { tripwireViewOf, type TripwireView } from './point-choice.ts';

/** One of an agent's events as the dashboard's event log shows it. */
export interface EventLine { host: string; at: string; kind: AgentEvent['kind']; text: string }

/** The kinds of event a person watching the job cares about (not every point sent or peer turned away). */
const SHOWN: ReadonlySet<AgentEvent['kind']> = new Set(['monitor', 'fence', 'lease', 'failover', 'alert', 'services', 'agent', 'supervisor', 'admission', 'config']);

/** What happened lately on the job's hosts, newest first: the monitor, fencing, the lease, failovers, alerts (from the agents' event records). */
export function eventLog(statuses: readonly HostAgentStatus[], max = 40): EventLine[] {
  const out: Array<EventLine & { ms: number }> = [];
  for (const s of statuses) for (const e of s.state?.events ?? []) {
    if (SHOWN.has(e.kind)) out.push({ host: s.host, at: new Date(e.at).toISOString(), ms: e.at, kind: e.kind, text: e.message });
  }
  return out.sort((a, b) => b.ms - a.ms).slice(0, max).map(({ ms: _ms, ...e }) => e);
}

/** What a target's monitor says: healthy, source-suspect (with seconds left before the timeout), source-lost, … */
export interface MonitorSummary {
  state: string; countdownS: number | null; witnessSeesSource: boolean | null; mode: 'automatic' | 'alert';
  /** Another standby holds the lease: this one stays a fenced standby and serves nothing. */
  leaseHolder?: string;
}

/** One host's answer: its agent's state, or why there is none. */
export interface HostAgentStatus { host: string; state: AgentState | null; error?: string }

export interface SendProgress { initialSync: boolean; bytes: number; totalBytes: number | null; share: number | null; bytesPerSecond: number; etaSeconds: number | null }

/** The time a point was taken, from its name (`p<seq>-<unix ms>`). */
export function pointTime(name: string | null | undefined): number | null {
  return (name ? parsePoint(name)?.at : null) ?? null;
}

/** Progress of the send under way: throughput, and for a full send (initial sync) the share done and the time left. */
export function sendProgress(c: SendUnderWay, now: number): SendProgress {
  const bytesPerSecond = c.bytesRaw / Math.max(0.001, (now - c.startedAt) / 1000);
  const totalBytes = c.parent ? null : c.estimateBytes;
  const share = totalBytes ? Math.min(1, c.bytesRaw / totalBytes) : null;
  const etaSeconds = totalBytes && bytesPerSecond > 0 ? Math.max(0, (totalBytes - c.bytesRaw) / bytesPerSecond) : null;
  return { initialSync: !c.parent, bytes: c.bytesRaw, totalBytes, share, bytesPerSecond, etaSeconds };
}

/** Time left as people say it: seconds under a minute and a half, then minutes. */
export const timeLeftText = (seconds: number): string => (seconds < 90 ? `${Math.ceil(seconds)} s` : `${Math.ceil(seconds / 60)} min`);

export type TargetPhase = 'no-agent' | 'connecting' | 'initial-sync' | 'replicating' | 'error';

export interface TargetView {
  target: string;
  phase: TargetPhase;
  /** Initial sync: share done (0..1) and seconds left; null when not syncing. */
  initialSync: { share: number | null; etaSeconds: number | null; totalBytes: number | null } | null;
  /** Bytes per second of the send under way, or of the last one. */
  bytesPerSecond: number | null;
  /** Stream bytes per wire byte, over the job's life (1 when compression is off). */
  compressionRatio: number | null;
  /** Age of the newest point the target holds, in seconds; null before the first. */
  rpoSeconds: number | null;
  newestPoint: string | null;
  points: number;
  /** Points held from pruning until a person releases them (a point-in-time failover's set-aside data, the tripwire's). */
  held: number;
  /** The standby's ransomware tripwire, once its agent says. */
  tripwire: TripwireView | null;
  limitBytesPerSecond: number | null;
  lastError: string | null;
  monitor: MonitorSummary | null;
  /** The standby's volume of points: free and total bytes (null: not said yet). */
  volume?: { freeBytes: number; totalBytes: number } | null;
}

export interface ReplicationView { job: string; at: number; hosts: Array<{ host: string; role: string; version: string | null; error: string | null; fence: string | null }>; targets: TargetView[]; events: EventLine[] }

export function replicationView(job: Job, statuses: readonly HostAgentStatus[], now: number): ReplicationView {
  const by = new Map(statuses.map((s) => [s.host, s]));
  const source = by.get(job.source.name)?.state ?? null;
  const targets = job.targets.map((t): TargetView => {
    const mine = by.get(t.name)?.state ?? null;
    // A standby not chosen at a failover follows the standby that took over: its sends are that host's.
    const holder = mine?.monitor?.role === 'target' ? mine.monitor.leaseHolder : undefined;
    const fromSource = (holder ? by.get(holder)?.state?.targets[t.name] : undefined) ?? source?.targets[t.name] ?? null;
    const newest = mine?.received.newest ?? null;
    const at = pointTime(newest);
    const cur = fromSource?.current ?? null;
    const progress = cur ? sendProgress(cur, now) : null;
    const last = fromSource?.lastSend ?? null;
    const phase: TargetPhase = !source || !mine ? 'no-agent'
      : fromSource?.state === 'error' ? 'error'
        : progress?.initialSync ? 'initial-sync'
          : fromSource?.lastPoint ? 'replicating' : 'connecting';
    return {
      target: t.name, phase,
      initialSync: progress?.initialSync ? { share: progress.share, etaSeconds: progress.etaSeconds, totalBytes: progress.totalBytes } : null,
      bytesPerSecond: progress ? progress.bytesPerSecond : last && last.endedAt > last.startedAt ? last.bytesRaw / ((last.endedAt - last.startedAt) / 1000) : null,
      compressionRatio: fromSource && fromSource.bytesWire > 0 ? fromSource.bytesRaw / fromSource.bytesWire : null,
      rpoSeconds: at === null ? null : Math.max(0, (now - at) / 1000),
      newestPoint: newest, points: mine?.received.count ?? 0, held: mine?.held.length ?? 0, tripwire: tripwireViewOf(mine),
      limitBytesPerSecond: fromSource?.limitBytesPerSecond ?? null,
      volume: mine?.volume ? { freeBytes: mine.volume.freeBytes, totalBytes: mine.volume.totalBytes } : null,
      lastError: fromSource?.lastError ?? by.get(t.name)?.error ?? by.get(job.source.name)?.error ?? null,
      monitor: mine?.monitor?.role === 'target' ? { state: mine.monitor.state, countdownS: mine.monitor.countdownS, witnessSeesSource: mine.monitor.witnessSeesSource, mode: mine.monitor.mode, ...(mine.monitor.leaseHolder ? { leaseHolder: mine.monitor.leaseHolder } : {}) } : null,
    };
  });
  return {
    job: job.name, at: now, targets,
    hosts: statuses.map((s) => ({ host: s.host, role: s.state?.role ?? (s.host === job.source.name ? 'source' : job.witness?.name === s.host ? 'witness' : 'target'), version: s.state?.version ?? null, error: s.error ?? null,
      fence: s.state?.monitor && 'fence' in s.state.monitor ? s.state.monitor.fence ?? null : null })),
    events: eventLog(statuses),
  };
}
