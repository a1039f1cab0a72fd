/**
 * What a reconfiguration changes: the saved job against the one the wizard would save now,
 * in the job's own terms (a target added, a schedule changed, a DNS record added to the
 * failover), shown before step 4 so nobody applies a change they did not mean. Pin and
 * certificate bookkeeping is not a change a person makes, so it is left out.
 */
import type { Job, JobTarget } from './job.ts';
import type { JobAlert, JobDnsRecord } from './failover-options.ts';
import { scheduleWords } from './rehearsal-schedule.ts';

export type JobChangeArea = 'job' | 'servers' | 'replication' | 'failover' | 'alerts';

export interface JobChange {
  kind: 'added' | 'removed' | 'changed';
  area: JobChangeArea;
  /** What it concerns: `target MAIL3`, `DNS record mail.example.test A`. */
  subject: string;
  /** For a change: which setting (`schedule`); absent for an added or removed thing. */
  field?: string;
  before?: string;
  after?: string;
}

const show = (v: unknown): string => (v === undefined || v === null || v === '' ? '(none)' : Array.isArray(v) ? (v.length ? v.join(', ') : '(none)') : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Compares named settings of one thing; each difference is one change. */
function fields<T>(area: JobChangeArea, subject: string, a: T, b: T, pick: Record<string, (x: T) => unknown>): JobChange[] {
  return Object.entries(pick).flatMap(([field, get]) => {
    const x = show(get(a));
    const y = show(get(b));
    return x === y ? [] : [{ kind: 'changed' as const, area, subject, field, before: x, after: y }];
  });
}

/** Things matched by key: added, removed, and the settings of those in both. */
function keyed<T>(area: JobChangeArea, label: (x: T) => string, a: readonly T[], b: readonly T[], key: (x: T) => string, pick: Record<string, (x: T) => unknown>): JobChange[] {
  const before = new Map(a.map((x) => [key(x), x]));
  const after = new Map(b.map((x) => [key(x), x]));
  return [
    ...[...before].filter(([k]) => !after.has(k)).map(([, x]): JobChange => ({ kind: 'removed', area, subject: label(x) })),
    ...[...after].filter(([k]) => !before.has(k)).map(([, x]): JobChange => ({ kind: 'added', area, subject: label(x) })),
    ...[...after].flatMap(([k, x]) => (before.has(k) ? fields(area, label(x), before.get(k)!, x, pick) : [])),
  ];
}

const hostFields = { address: (h: Job['source']) => h.address, 'IPv6 address': (h: Job['source']) => h.ipv6, 'SSH port': (h: Job['source']) => h.sshPort, 'SSH user': (h: Job['source']) => h.sshUser, 'SSH key file': (h: Job['source']) => h.sshKeyFile, 'SSH sign-in': (h: Job['source']) => h.sshAuth ?? (h.sshKeyFile ? 'key' : 'agent') };

const targetFields: Record<string, (t: JobTarget) => unknown> = {
  ...hostFields,
  'replication from address': (t) => t.options.path.sourceAddress,
  'replication to address': (t) => t.options.path.targetAddress,
  compression: (t) => t.options.compression,
  'bandwidth schedule': (t) => t.options.schedule.trim() || 'unlimited',
  'seconds between points': (t) => t.options.intervalSeconds,
  'points kept': (t) => t.options.retention.last,
  'hours of hourly points': (t) => t.options.retention.hourlyForHours,
  'days of daily points': (t) => t.options.retention.dailyForDays,
};

const dnsKey = (r: JobDnsRecord) => `${r.name.toLowerCase()}.${r.zone.toLowerCase()} ${r.type}`;
const alertKey = (a: JobAlert) => JSON.stringify([a.kind, 'host' in a ? a.host : '', 'port' in a ? a.port : '']);
const alertLabel = (a: JobAlert) => `alert receiver ${a.kind} ${'host' in a ? a.host : ''}${'port' in a && a.port ? `:${a.port}` : ''}`.trim();

export function jobChanges(before: Job, after: Job): JobChange[] {
  const witness = (j: Job) => (j.witness ? [j.witness] : []);
  return [
    ...fields('job', 'the job', before, after, { name: (j) => j.name, 'protected folders': (j) => j.protect, 'replication port': (j) => j.replicationPort,
      directory: (j) => (j.directory ? (j.directory.target.kind === 'domain' ? j.directory.target.domain : j.directory.target.url) : undefined), 'directory account': (j) => j.directory?.username,
      'rehearsals by themselves': (j) => `${scheduleWords(j.rehearsals)}${j.rehearsals.every !== 'off' && j.rehearsals.target ? ` on ${j.rehearsals.target}` : ''}` }),
    ...(before.source.name.toLowerCase() !== after.source.name.toLowerCase()
      ? [{ kind: 'changed' as const, area: 'servers' as const, subject: 'the source', field: 'server', before: before.source.name, after: after.source.name }]
      : fields('servers', `source ${after.source.name}`, before.source, after.source, hostFields)),
    ...keyed('servers', (t) => `target ${t.name}`, before.targets, after.targets, (t) => t.name.toLowerCase(), hostFields),
    ...keyed('servers', (w) => `witness ${w.name}`, witness(before), witness(after), (w) => w.name.toLowerCase(), hostFields),
    ...before.targets.flatMap((t) => {
      const now = after.targets.find((x) => x.name.toLowerCase() === t.name.toLowerCase());
      return now ? fields('replication', `target ${now.name}`, t, now, Object.fromEntries(Object.entries(targetFields).filter(([k]) => !(k in hostFields)))) : [];
    }),
    ...fields('failover', 'failover', before.failover, after.failover, {
      mode: (f) => (f.mode === 'automatic' ? 'automatic' : 'alert, then one click'), 'timeout (seconds)': (f) => f.timeoutSeconds, services: (f) => f.services,
      'database counterparts': (f) => Object.entries(f.databases).map(([a, b]) => `${a} → ${b}`).sort(),
    }),
    ...keyed('failover', (r) => `DNS record ${r.name === '@' ? r.zone : `${r.name}.${r.zone}`} ${r.type}`, before.failover.dns, after.failover.dns, dnsKey, {
      TTL: (r) => r.ttl, 'DNS server': (r) => (r.server ? `${r.server.address}:${r.server.port} key ${r.server.key}` : 'the directory'),
    }),
    ...keyed('alerts', alertLabel, before.alerts, after.alerts, alertKey, { settings: (a) => a }),
  ];
}

/** One line for a change, for the CLI and the report. */
export function changeLine(c: JobChange): string {
  if (c.kind === 'added') return `+ ${c.subject}`;
  if (c.kind === 'removed') return `- ${c.subject}`;
  return `~ ${c.subject}: ${c.field} ${c.before} → ${c.after}`;
}
