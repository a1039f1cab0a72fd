/**
 * The failback's preview, shown before consent: how many bytes travel back from the standby that
 * took over (what changed there since the newest point both hosts hold, measured on it without
 * sending: `changed-since`), and about how long that takes at the job's bandwidth schedule now,
 * with the compression replication has shown. Not part of the plan (it changes by the second).
 */
import type { Job, JobTarget } from '../../shared/job.ts';
import type { AgentState } from '../../shared/agent-state.ts';
import { newestCommon } from '../../shared/points.ts';
import { limitAt, parseSchedule, rateText } from '../../shared/schedule.ts';
import { formatBytes } from '../../shared/point-choice.ts';
import { timeLeftText } from '../../shared/replication.ts';
import { agentStatus } from '../provision/service.ts';
import { agentCommand } from '../provision/host-layout.ts';
import { hostTargets } from '../provision/service.ts';
import { SshPool } from '../hosts/ssh-pool.ts';
import { plainMessage } from '../../shared/errors.ts';

export interface FailbackPreview { bytes: number | null; parent: string | null; seconds: number | null; sentence: string }

/** The parent of the first send back: the newest point the source confirmed that the standby holds, else the newest both hold. */
export function parentOf(source: AgentState, standby: AgentState, target: string): string | null {
  const confirmed = source.targets[target]?.lastPoint ?? null;
  return confirmed && standby.points.includes(confirmed) ? confirmed : newestCommon(source.points, standby.points);
}

/** The time it takes, from the bytes, the schedule's limit now and the compression seen; null: as fast as the link allows, and no speed seen yet. */
export function timeBack(bytes: number, t: JobTarget, source: AgentState | null, now: Date): { seconds: number | null; how: string } {
  const p = parseSchedule(t.options.schedule);
  const limit = p.ok ? limitAt(p.limits, now) : null;
  const s = source?.targets[t.name];
  const ratio = s && s.bytesWire > 0 && t.options.compression !== 'off' ? Math.max(1, s.bytesRaw / s.bytesWire) : 1;
  if (limit !== null) return { seconds: bytes / ratio / limit, how: `at the schedule's ${rateText(limit)} now${ratio > 1.05 ? `, compressed about ${ratio.toFixed(1)}:1 as replication has been` : ''}` };
  const full = s?.lastFullSend;
  const seen = full && full.endedAt > full.startedAt ? full.bytesRaw / ((full.endedAt - full.startedAt) / 1000) : null;
  return seen ? { seconds: bytes / seen, how: `unlimited by the schedule now; the initial sync ran at ${formatBytes(Math.round(seen))}/s` } : { seconds: null, how: 'unlimited by the schedule now' };
}

export async function failbackPreview(job: Job, target: JobTarget, o: { pool?: SshPool; sshSecret?: string; now?: Date } = {}): Promise<FailbackPreview> {
  const pool = o.pool ?? new SshPool({ pins: job.hostKeys, acceptUnknown: [] });
  try {
    const all = await agentStatus(job, pool, o.sshSecret);
    const source = all.find((h) => h.host === job.source.name)?.state ?? null;
    const standby = all.find((h) => h.host === target.name)?.state ?? null;
    if (!source || !standby) return { bytes: null, parent: null, seconds: null, sentence: `How much travels back cannot be told now: the agents of ${[!source ? job.source.name : null, !standby ? target.name : null].filter(Boolean).join(' and ')} cannot be read.` };
    const parent = parentOf(source, standby, target.name);
    if (!parent) return { bytes: null, parent: null, seconds: null, sentence: `${job.source.name} and ${target.name} share no point, so everything ${target.name} holds travels back (a full send).` };
    const host = hostTargets(job, o.sshSecret).find((h) => h.name === target.name)!;
    const r = await (await pool.get(host)).exec(agentCommand('changed-since', parent), { timeoutMs: 120_000 });
    if (r.code !== 0) return { bytes: null, parent, seconds: null, sentence: `How much travels back cannot be told now: ${r.stderr.trim().replace(/^failguard-agent: /, '') || 'the measurement failed'}.` };
    const bytes = Number((JSON.parse(r.stdout) as { bytes: number }).bytes);
    const t = timeBack(bytes, target, source, o.now ?? new Date());
    const time = t.seconds === null ? '' : `, about ${timeLeftText(Math.max(1, t.seconds))}`;
    return { bytes, parent, seconds: t.seconds, sentence: `About ${formatBytes(bytes)} changed on ${target.name} since the newest point both hold (${parent}) travels back to ${job.source.name} while users keep working (${t.how}${time}); the cut-over after it takes seconds.` };
  } catch (e) {
    return { bytes: null, parent: null, seconds: null, sentence: `How much travels back cannot be told now: ${plainMessage(e)}` };
  } finally {
    if (!o.pool) await pool.closeAll();
  }
}
