/**
 * A new configuration for a running agent (SIGHUP, sent by `reload` after provisioning
 * uploaded it): what can change in place does, so replication goes on from where it was and
 * the process keeps its PID; anything else (a target added, another port, other
 * certificates, another monitor) makes the agent exit, and its supervisor starts it again on
 * the new file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AgentConfig } from './config.ts';

/** Changed in place: per-target (and per-standby) compression, schedule and interval; retention; RPO thresholds and the other health limits; the metrics folder; alerts; the job's name. The failover plan file is read when used. */
const HOT_TARGET_FIELDS = ['compression', 'schedule', 'intervalSeconds'] as const;

/** The configuration without what may change in place: two configurations with equal cores differ only in hot fields. */
function core(c: AgentConfig): unknown {
  const { jobName: _n, retention: _r, alerts: _a, health: _h, watch: _w, metrics: _m, targets, standbys, ...rest } = c;
  const cold = (t: AgentConfig['targets'][number]) => Object.fromEntries(Object.entries(t).filter(([k]) => !(HOT_TARGET_FIELDS as readonly string[]).includes(k)));
  return { ...rest, targets: targets.map(cold), standbys: standbys.map(cold) };
}

/** Stable JSON (keys sorted), so that key order never counts as a change. */
function stable(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(stable).join(',')}]`;
  if (x && typeof x === 'object') return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${stable((x as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(x);
}

export type ReloadDecision = { restart: true; why: string } | { restart: false; changes: string[] };

/** Whether `next` can be taken in place of `cur`, and if so what changes (in words for the log). */
export function reloadDecision(cur: AgentConfig, next: AgentConfig): ReloadDecision {
  if (stable(core(cur)) !== stable(core(next))) {
    const keys = (Object.keys({ ...cur, ...next }) as Array<keyof AgentConfig>).filter((k) => stable((core(cur) as Record<string, unknown>)[k]) !== stable((core(next) as Record<string, unknown>)[k]));
    return { restart: true, why: `${keys.join(', ') || 'its structure'} changed` };
  }
  const changes: string[] = [];
  for (const t of next.targets) {
    const was = cur.targets.find((x) => x.name === t.name)!;
    for (const f of HOT_TARGET_FIELDS) if (was[f] !== t[f]) changes.push(`${t.name} ${f} ${JSON.stringify(was[f])} → ${JSON.stringify(t[f])}`);
  }
  for (const t of next.standbys) {
    const was = cur.standbys.find((x) => x.name === t.name)!;
    for (const f of HOT_TARGET_FIELDS) if (was[f] !== t[f]) changes.push(`standby ${t.name} ${f} ${JSON.stringify(was[f])} → ${JSON.stringify(t[f])}`);
  }
  if (stable(cur.retention) !== stable(next.retention)) changes.push(`retention ${stable(cur.retention)} → ${stable(next.retention)}`);
  if (stable(cur.health) !== stable(next.health)) changes.push(`RPO thresholds ${stable(cur.health)} → ${stable(next.health)}`);
  if (stable(cur.watch) !== stable(next.watch)) changes.push(`health limits ${stable(cur.watch)} → ${stable(next.watch)}`);
  if (stable(cur.metrics) !== stable(next.metrics)) changes.push(`metrics folder ${cur.metrics?.textfileDir ?? 'none'} → ${next.metrics?.textfileDir ?? 'none'}`);
  if (stable(cur.alerts) !== stable(next.alerts)) changes.push(`alert receivers (${cur.alerts.length} → ${next.alerts.length})`);
  if (cur.jobName !== next.jobName) changes.push(`job name → ${JSON.stringify(next.jobName)}`);
  return { restart: false, changes };
}

/** Puts the hot fields of `next` into the live configuration object every part of the agent holds. */
export function applyInPlace(cur: AgentConfig, next: AgentConfig): void {
  for (const t of next.targets) Object.assign(cur.targets.find((x) => x.name === t.name)!, { compression: t.compression, schedule: t.schedule, intervalSeconds: t.intervalSeconds });
  for (const t of next.standbys) Object.assign(cur.standbys.find((x) => x.name === t.name)!, { compression: t.compression, schedule: t.schedule, intervalSeconds: t.intervalSeconds });
  cur.retention = next.retention;
  if (next.health) cur.health = next.health;
  else delete cur.health;
  if (next.watch) cur.watch = next.watch;
  else delete cur.watch;
  if (next.metrics) cur.metrics = next.metrics;
  else delete cur.metrics;
  cur.alerts = next.alerts;
  cur.jobName = next.jobName;
}

/** The SHA-256 of the configuration as it is on disk, its secrets file included: a reload is owed when either changed. */
export function configSha256(file: string): string {
  const text = readFileSync(file);
  const h = createHash('sha256').update(text);
  try {
    const secrets = (JSON.parse(text.toString('utf8')) as { secretsFile?: string }).secretsFile;
    if (secrets) h.update('\0').update(readFileSync(secrets));
  } catch { /* no secrets file (yet): the configuration alone */ }
  return h.digest('hex');
}
