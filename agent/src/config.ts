/** The agent's configuration, written by provisioning from the job: who this host is, its role, its peers, where its points live. */
import { z } from 'zod';
import { compressionSchema } from '../../shared/job.ts';
import { readFile } from 'node:fs/promises';
import { UserError } from '../../shared/errors.ts';
import { issueField } from '../../shared/schemas.ts';
import { timingOf, timingProblem } from './monitor/rules.ts';

const retention = z.strictObject({ last: z.number().int().min(2), hourlyForHours: z.number().int().min(0), dailyForDays: z.number().int().min(0).default(0) });
/** A host points are sent to, and how. */
const sendTo = z.strictObject({
  name: z.string(), address: z.string(), port: z.number().int(), sourceAddress: z.string().optional(),
  compression: compressionSchema, schedule: z.string(), intervalSeconds: z.number().min(0.25),
});
const peer = z.strictObject({ name: z.string(), address: z.string(), port: z.number().int() });

export const agentConfigSchema = z.strictObject({
  version: z.literal(1),
  jobId: z.string().min(1),
  /** The job's name, as alerts say it. */
  jobName: z.string().default(''),
  host: z.string().min(1),
  role: z.enum(['source', 'target', 'witness']),
  listen: z.strictObject({ address: z.string(), port: z.number().int() }),
  tls: z.strictObject({ ca: z.string(), cert: z.string(), key: z.string() }),
  /** The protected subvolume (source) and where points live. */
  subvolume: z.string(),
  pointsDir: z.string(),
  receiveDir: z.string(),
  stateDir: z.string(),
  /** Source: one entry per target, each with its own path, compression, schedule and interval. */
  targets: z.array(sendTo).default([]),
  /** Target: the job's other standbys, which this host sends on to if it takes over (they stay fenced and follow it). */
  standbys: z.array(sendTo).default([]),
  /** Witness: the job's standbys, the only hosts it may ever grant the lease to. */
  standbyNames: z.array(z.string()).default([]),
  /** Target: the ages of its newest point that are a warning, then critical (alerted once each, and their clearing). */
  health: z.strictObject({ rpoWarnSeconds: z.number().min(1), rpoCriticalSeconds: z.number().min(1) }).optional(),
  /** Source and targets: how long without a successful send, or without progress in the initial sync, and how little free space, before an alert (health-watch.ts). */
  watch: z.strictObject({ noSendMinutes: z.number().min(1), syncStallMinutes: z.number().min(1), minFreePercent: z.number().min(0).max(100) }).optional(),
  /** Source and targets: the folder node_exporter's textfile collector reads, where the agent keeps failguard.prom (metrics.ts). */
  metrics: z.strictObject({ textfileDir: z.string().regex(/^\//) }).optional(),
  /** Target: what it keeps of what it receives. */
  retention: retention.default({ last: 60, hourlyForHours: 24, dailyForDays: 0 }),
  /** The failover monitor: the source heartbeats to the targets and the witness; a target watches the source and asks the witness. */
  monitor: z.strictObject({
    source: peer.optional(),
    witness: peer.optional(),
    mode: z.enum(['automatic', 'alert']).default('alert'),
    timeoutSeconds: z.number().min(1).default(60),
    /** The monitor's constants (rules.ts): standard, or scaled down for a test lab. */
    profile: z.enum(['standard', 'fast']).default('standard'),
    /** The mail services this host's agent owns, in start order: a known name (postfix, dovecot, or any systemd unit) or commands. */
    services: z.array(z.union([z.string().regex(/^[A-Za-z0-9][A-Za-z0-9@._-]*$/), z.strictObject({ name: z.string(), start: z.string(), stop: z.string(), check: z.string(), kill: z.string().optional() })])).default([]),
  }).optional(),
  /** Target, automatic mode: the sealed failover plan it runs itself, and the directory account sealed under the witness's key. */
  failover: z.strictObject({ planFile: z.string(), accessFile: z.string().optional() }).optional(),
  /** Where this agent sends its alerts, secrets included (this file is 0600). */
  alerts: z.array(z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('smtp'), host: z.string(), port: z.number().int(), from: z.string(), to: z.array(z.string()), username: z.string().optional(), password: z.string().optional(), caPem: z.string().optional() }),
    z.strictObject({ kind: z.literal('snmp-v2c'), host: z.string(), port: z.number().int(), community: z.string().default('public') }),
    z.strictObject({ kind: z.literal('snmp-v3'), host: z.string(), port: z.number().int(), user: z.string(), authKey: z.string().default(''), privKey: z.string().default(''), engineId: z.string() }),
    z.strictObject({ kind: z.literal('syslog'), host: z.string(), port: z.number().int(), transport: z.enum(['udp', 'tcp']) }),
  ])).default([]),
  /** The alert receivers' secrets, in their own 0600 file (written by provisioning from memory, never staged on the app's computer). */
  secretsFile: z.string().optional(),
  /** Witness: the key it hands out with the lease (opens a target's sealed directory account). */
  leaseKey: z.string().optional(),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;

const secretsSchema = z.strictObject({ smtpPassword: z.string().optional(), snmpCommunity: z.string().optional(), snmpAuthKey: z.string().optional(), snmpPrivKey: z.string().optional() });

/** The receivers made whole from the secrets file: an SMTP user gets its password, SNMP its community or v3 keys. */
async function withSecrets(c: AgentConfig): Promise<AgentConfig> {
  if (!c.secretsFile) return c;
  let s: z.output<typeof secretsSchema>;
  try {
    s = secretsSchema.parse(JSON.parse(await readFile(c.secretsFile, 'utf8')));
  } catch {
    throw new UserError('agent-config', `The agent's secrets file ${c.secretsFile} is missing or not valid; provision the host again.`);
  }
  const alerts = c.alerts.map((a) => {
    switch (a.kind) {
      case 'smtp': return a.username && s.smtpPassword !== undefined ? { ...a, password: s.smtpPassword } : a;
      case 'snmp-v2c': return s.snmpCommunity !== undefined ? { ...a, community: s.snmpCommunity } : a;
      case 'snmp-v3': return { ...a, ...(s.snmpAuthKey !== undefined ? { authKey: s.snmpAuthKey } : {}), ...(s.snmpPrivKey !== undefined ? { privKey: s.snmpPrivKey } : {}) };
      default: return a;
    }
  });
  return { ...c, alerts };
}

export async function loadConfig(file: string): Promise<AgentConfig> {
  const text = await readFile(file, 'utf8').catch(() => { throw new UserError('agent-config', `The agent's configuration ${file} cannot be read; provision the host again.`); });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError('agent-config', `The agent's configuration ${file} is not valid JSON; provision the host again.`);
  }
  const r = agentConfigSchema.safeParse(data);
  if (!r.success) throw new UserError('agent-config', `The agent's configuration ${file} is not valid (${issueField(r.error.issues[0]!)}: ${r.error.issues[0]!.message}); provision the host again.`);
  // A timing that breaks the no-split-brain rule is never run (the agent stops, and mail waits), whoever wrote the file.
  const timing = timingProblem(timingOf(r.data.monitor));
  if (r.data.monitor && timing) throw new UserError('agent-config', `The agent's configuration ${file} has a failover timing that could let two servers take mail: ${timing}; provision the host again.`);
  return withSecrets(r.data);
}
