/**
 * A job: what is protected, where to, and how — the versioned JSON file the wizard saves
 * and the CLI runs (`failguard protect --job FILE`). It holds host-key pins and
 * certificate fingerprints, never a secret (no password, passphrase or private key).
 * Parsed with its schema; every error names the field in plain words.
 */
import { z } from 'zod';
import { parseSchedule } from './schedule.ts';
import { rehearsalScheduleSchema } from './rehearsal-schedule.ts';
import { REPLICATION_PORT } from './preflight.ts';
import { canonicalIpv6 } from './dns-record.ts';
import { absolutePath, alertReceiverSchema, dnsRecordSchema, ipv4, serverName, serverPath } from './failover-options.ts';

export const JOB_VERSION = 1;

const name = z.string().min(1, 'must not be empty').max(255);
const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'not an SSH fingerprint (SHA256:…)');

/** How Failguard reaches a host: never a password or passphrase (those live in the keychain). */
const jobHostFields = z.strictObject({
  /** The directory's name for the server (MAIL1), or the witness's own name. */
  name: serverName,
  address: ipv4,
  /** Its IPv6 address, where AAAA records chosen for failover must point at it. */
  ipv6: z.string().refine((v) => canonicalIpv6(v) !== null, 'not an IPv6 address').optional(),
  sshPort: z.number().int().min(1).max(65535).default(22),
  sshUser: name.default('root'),
  /** A private key file on this computer; absent: the SSH agent (or a password, below). */
  sshKeyFile: absolutePath.optional(),
  /**
   * How Failguard signs in: with the key file, the SSH agent or a password. Absent: the key
   * file when one is named, else the agent. A key's passphrase and a password are never here.
   */
  sshAuth: z.enum(['key', 'agent', 'password']).optional(),
});

/** A key file and the way of signing in agree. */
const signsInOneWay = <T extends z.ZodType<{ sshKeyFile?: string | undefined; sshAuth?: string | undefined }>>(schema: T) => schema
  .refine((h) => h.sshAuth !== 'key' || !!h.sshKeyFile, { message: 'signs in with a key but names no key file (sshKeyFile)', path: ['sshKeyFile'] })
  .refine((h) => !h.sshKeyFile || !h.sshAuth || h.sshAuth === 'key', { message: 'names a key file but signs in another way; remove sshKeyFile or set sshAuth to "key"', path: ['sshAuth'] });

export const jobHostSchema = signsInOneWay(jobHostFields);

/** The least failover timeout of each monitor profile: the witness's wait before it grants the lease (agent/src/monitor/rules.ts; a unit test ties them). */
export const LEAST_TIMEOUT_S = { standard: 10, fast: 9 } as const;

/** What happens when the source is lost (step 3): the mode, the timeout, the services, DNS records and database counterparts. */
export const failoverSchema = z.strictObject({
  mode: z.enum(['automatic', 'alert']).default('alert'),
  // The least depends on the profile (10 s, or 9 s for the fast one): checked below.
  timeoutSeconds: z.number().int().min(1, 'at least 1 second').max(3600).default(60),
  /**
   * The failover monitor's clock: `standard` (heartbeats every 0.5 s, fence after 4 s, the
   * witness grants after 10 s; round trips up to 1.5 s) or `fast`, for a test lab on one switch
   * (round trips up to 1 s, fence after 3 s, grant after 9 s); never for servers across a WAN.
   */
  profile: z.enum(['standard', 'fast']).default('standard'),
  /** The mail services the agents own, in start order (stopped in the reverse): on Linux a service name. */
  services: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9@._-]*$/, 'not a service name (letters, digits, @ . _ -, starting with a letter or digit)')).max(20).default(['dovecot', 'postfix']),
  /** Records repointed at the target on failover (the names users, MX and SRV point at). */
  dns: z.array(dnsRecordSchema).max(50).default([]),
  /** Counterparts: a source database's name → the target database its mailboxes move to (absent: paired in name order). */
  databases: z.record(z.string(), z.string()).default({}),
}).superRefine((f, ctx) => {
  const least = LEAST_TIMEOUT_S[f.profile];
  if (f.timeoutSeconds < least) ctx.addIssue({ code: 'custom', path: ['timeoutSeconds'], message: `at least ${least} seconds: the witness waits that long before it lets a standby take over` });
});

/** The DNS server a job's directory is asked through: an IP address (IPv4, or IPv6 as written). */
const dnsServerAddress = z.string().max(64).refine((v) => ipv4.safeParse(v).success || canonicalIpv6(v) !== null, 'not an IP address (give the DNS server\'s address)');

const fingerprint256 = z.string().regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/, 'not a SHA-256 fingerprint');

/**
 * Where the directory is and who signs in to it (step 1), so a saved job can be reopened and
 * its failover run months later: the DC or domain, the account's name, and the certificates
 * the person trusted (public). The password is never here: it lives in the secret store.
 */
export const jobDirectorySchema = z.strictObject({
  target: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('domain'), domain: z.string().min(1).max(253), dnsServer: dnsServerAddress.optional() }),
    z.strictObject({ kind: z.literal('url'), url: z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/i, 'not ldaps://host or ldap://host'), dnsServer: dnsServerAddress.optional() }),
  ]),
  username: z.string().min(1).max(512),
  /** A CA the person added (PEM: public). */
  caPem: z.string().max(20_000).optional(),
  /** DC certificates the person trusted when asked, pinned by fingerprint. */
  pinned: z.array(z.strictObject({ fingerprint256, pem: z.string().max(20_000), subject: z.string().max(1000) })).max(10).default([]),
});

export const compressionSchema = z.enum(['off', 'fast', 'strong']);

/** How old the newest point on a standby may be before it is a warning, then critical (RPO, in seconds). */
const rpoFields = {
  rpoWarnSeconds: z.number().int().min(1, 'at least 1 second').max(7 * 86400),
  rpoCriticalSeconds: z.number().int().min(1, 'at least 1 second').max(7 * 86400),
};
const warnBelowCritical = (h: { rpoWarnSeconds?: number; rpoCriticalSeconds?: number }, ctx: z.RefinementCtx) => {
  if (h.rpoWarnSeconds !== undefined && h.rpoCriticalSeconds !== undefined && h.rpoWarnSeconds >= h.rpoCriticalSeconds) {
    ctx.addIssue({ code: 'custom', path: ['rpoCriticalSeconds'], message: 'must be longer than the warning age' });
  }
};
/** The job's thresholds: a standby whose newest point is 30 s old is a warning, 5 min critical. */
export const healthSchema = z.strictObject({
  rpoWarnSeconds: rpoFields.rpoWarnSeconds.default(30), rpoCriticalSeconds: rpoFields.rpoCriticalSeconds.default(300),
  /** No send to a standby has succeeded for this long (after its initial sync): a warning, with the last error. */
  noSendMinutes: z.number().int().min(1, 'at least 1 minute').max(7 * 1440).default(10),
  /** An initial sync that moved nothing new for this long: critical (the standby could not take over), with the last error. */
  syncStallMinutes: z.number().int().min(1, 'at least 1 minute').max(7 * 1440).default(10),
  /** A standby's volume of points with less free than this: critical (points stop arriving when it is full). */
  minFreePercent: z.number().min(0, 'at least 0%').max(50, 'at most 50%').default(5),
}).superRefine(warnBelowCritical);

export const targetOptionsSchema = z.strictObject({
  /** This standby's own thresholds, over the job's (a slow link, a lagged copy). */
  health: z.strictObject({ rpoWarnSeconds: rpoFields.rpoWarnSeconds.optional(), rpoCriticalSeconds: rpoFields.rpoCriticalSeconds.optional() }).superRefine(warnBelowCritical).optional(),
  /** The addresses that carry replication (absent: the hosts' own addresses). */
  path: z.strictObject({ sourceAddress: ipv4.optional(), targetAddress: ipv4.optional() }).default({}),
  compression: compressionSchema.default('fast'),
  /** The weekly bandwidth schedule as text (`shared/schedule.ts`); empty: unlimited. */
  schedule: z.string().max(4000).default('').superRefine((s, ctx) => {
    const p = parseSchedule(s);
    if (!p.ok) ctx.addIssue({ code: 'custom', message: p.error });
  }),
  // Sub-second points are allowed (bench replication --interval 0.25: RPO p95 under 0.5 s); 1 s stays the default.
  intervalSeconds: z.number().min(0.25, 'at least 0.25 seconds').max(3600).default(1),
  retention: z.strictObject({
    /** The newest points kept on the target. */
    last: z.number().int().min(2, 'keep at least 2 points').max(10000).default(60),
    /** Besides those, one point per hour for this many hours. */
    hourlyForHours: z.number().int().min(0).max(24 * 31).default(24),
    /** And one point per day (UTC) for this many days: what a point-in-time failover can go back to after a slow disaster. */
    dailyForDays: z.number().int().min(0).max(366).default(7),
  }).prefault({}),
});

export const jobTargetSchema = signsInOneWay(jobHostFields.extend({ options: targetOptionsSchema.prefault({}) }));

export const jobSchema = z.strictObject({
  version: z.literal(JOB_VERSION),
  /** Stable for the job's life: agents accept only peers whose certificate names it. */
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'not a job id'),
  name: name.max(100),
  source: jobHostSchema,
  targets: z.array(jobTargetSchema).min(1, 'give at least one target').max(8),
  witness: jobHostSchema.optional(),
  /** The directory the job was discovered in (no password). */
  directory: jobDirectorySchema.optional(),
  /** What is replicated: folders on one btrfs subvolume (Linux); on Windows the protection set's paths. */
  protect: z.array(serverPath).min(1).max(64).default(['/srv/mail']),
  replicationPort: z.number().int().min(1).max(65535).default(REPLICATION_PORT),
  /** When the source is lost: fail over by itself after the timeout, or alert and wait for a person's click. */
  failover: failoverSchema.prefault({}),
  /**
   * Where alerts go (the failover monitor's changes, failovers, fencing). No secret here: the SMTP
   * password, SNMP community and SNMPv3 keys are given when provisioning and kept in the agents'
   * 0600 configuration only.
   */
  alerts: z.array(alertReceiverSchema).max(20).default([]),
  /** When a standby's newest point is old enough to warn, then to be critical (`failguard status --check`). */
  health: healthSchema.prefault({}),
  /**
   * Where each protected host's agent writes its figures for Prometheus: the folder of
   * node_exporter's textfile collector (Debian's, by default). Null: no metrics file. A host
   * without that folder gets none, and its agent says so once.
   */
  metrics: z.strictObject({ textfileDir: serverPath.nullable().default('/var/lib/prometheus/node-exporter') }).prefault({}),
  /** When the job rehearses a failover by itself, with a report each time (off until a person chooses). */
  rehearsals: rehearsalScheduleSchema.prefault({}),
  /** Host keys pinned on first use; checked on every connection. */
  hostKeys: z.array(z.strictObject({ host: ipv4, port: z.number().int(), algorithm: z.string().max(100), fingerprint })).max(100).default([]),
  /** SHA-256 fingerprints of the job's CA and of each agent's certificate. */
  certificates: z.strictObject({
    ca: fingerprint256.optional(),
    agents: z.record(z.string(), fingerprint256).default({}),
  }).prefault({}),
}).superRefine((j, ctx) => {
  const seen = new Map<string, string>();
  const hosts: Array<[string, { name: string; address: string }]> = [['source', j.source], ...j.targets.map((t, i): [string, typeof t] => [`targets[${i}]`, t]), ...(j.witness ? [['witness', j.witness] as [string, typeof j.source]] : [])];
  for (const [where, h] of hosts) {
    for (const key of [`name:${h.name.toLowerCase()}`, `address:${h.address}`]) {
      const other = seen.get(key);
      if (other) ctx.addIssue({ code: 'custom', path: [...where.replace(/\[(\d+)\]/, '.$1').split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), key.startsWith('name') ? 'name' : 'address'], message: `the same server as ${other}; each server can have one role only` });
      else seen.set(key, where);
    }
  }
  const rehearsed = j.rehearsals.target;
  if (rehearsed && !j.targets.some((t) => t.name.toLowerCase() === rehearsed.toLowerCase())) {
    ctx.addIssue({ code: 'custom', path: ['rehearsals', 'target'], message: `not one of the job's targets (${j.targets.map((t) => t.name).join(', ')})` });
  }
});

export type Job = z.output<typeof jobSchema>;
export type JobDirectory = z.output<typeof jobDirectorySchema>;
export type JobTarget = Job['targets'][number];
export type TargetOptions = JobTarget['options'];
export type Compression = z.output<typeof compressionSchema>;
export type { JobAlert, JobDnsRecord } from './failover-options.ts';
