/**
 * Provisioning behind the CLI and (next) the wizard: from a job, the plan that makes every
 * host run its agent (reviewed by id), applied on the plan engine; and the agents' status,
 * read over SSH (the app opens no port of its own).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from '../../shared/job.ts';
import type { HostTarget } from '../../shared/hosts.ts';
import type { Plan, PlanRunResult } from '../../shared/plan.ts';
import type { PreflightRequest } from '../../shared/preflight.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';
import { SshPool } from '../hosts/ssh-pool.ts';
import { sha256File } from '../hosts/file-hash.ts';
import { dataDir, journalDir } from '../backend/data-dir.ts';
import { planContext } from '../plans/context.ts';
import { Journal, jobOrigin } from '../plans/journal.ts';
import { runPlans, type RunOptions } from '../plans/engine.ts';
import { recoverInterrupted } from '../plans/recover.ts';
import { stepHost } from '../../shared/plan.ts';
import type { HostAgentStatus } from '../../shared/replication.ts';
import { parseAgentState } from '../../shared/agent-state.ts';
import { agentArtifacts } from './agent-artifacts.ts';
import { agentConfig, jobHosts } from './agent-config.ts';
import { AGENTD, FAILOVER_PATHS, HOST_PATHS as P, agentCommand } from './host-layout.ts';
import { jobPki } from './pki.ts';
import { failoverFiles } from './failover-files.ts';
import { alertReceivers, alertSecretsContent } from './alert-receivers.ts';
import { secretDigest, sha256Text } from './secret-digest.ts';
import type { AlertSecrets } from '../../shared/alerts.ts';
import { hostNowScript, parseHostNow, provisioningPlan, type ShippedFile } from './plan.ts';
import { hostFileName } from './host-file-name.ts';
import { discardLegacyKeys, NO_KEY_STORE, type JobKeys } from '../jobs/job-keys.ts';
import { withJobLock } from '../plans/job-lock.ts';

export interface ProvisionOptions {
  signal?: AbortSignal; onProgress?: (stage: string) => void; onStep?: RunOptions['onStep']; dataDir?: string;
  /** For plans that write to the directory (failover, failback). */
  directory?: PreflightRequest['directory'];
  /** The secrets of the job's alert receivers (never in the job file). */
  alertSecrets?: AlertSecrets;
  /** Finish a run of this job cut short before, then run the plan. */
  recover?: boolean;
  /** TSIG key name → base64 secret, for DNS records kept outside AD (never in the job file). */
  tsigSecrets?: Record<string, string>;
  /** The SSH key's passphrase, or the SSH password, when the job's hosts need one (never in the job file). */
  sshSecret?: string;
  /** The job's private keys, in the encrypted store (job-keys.ts); provisioning refuses without them. */
  keys?: JobKeys;
}

/** How to reach each of the job's hosts, with the key's passphrase or the password filled in from `sshSecret`. */
export function hostTargets(job: Job, sshSecret?: string): HostTarget[] {
  return [job.source, ...job.targets, ...(job.witness ? [job.witness] : [])].map((h) => ({
    name: h.name, address: h.address, port: h.sshPort, user: h.sshUser, auth: sshAuthOf(h, sshSecret),
  }));
}

function sshAuthOf(h: Job['source'], sshSecret: string | undefined): HostTarget['auth'] {
  if (h.sshAuth === 'password') {
    if (!sshSecret) throw new UserError('no-ssh-secret', `${h.name} is reached with an SSH password, and none was given or kept on this computer; type it in step 2 (or give --ssh-secret-file).`, { field: 'sshSecret' });
    return { kind: 'password', password: sshSecret };
  }
  if (h.sshKeyFile) return { kind: 'key', keyFile: h.sshKeyFile, ...(sshSecret ? { passphrase: sshSecret } : {}) };
  return { kind: 'agent' };
}

const file = async (remotePath: string, localFile: string, mode: number, what: string): Promise<ShippedFile> => ({ remotePath, localFile, mode, what, ...(await sha256File(localFile)) });

/** A file whose content is secret: written from memory by a `secret-file` step, named `name` in the run; the plan keeps only a keyed digest. */
async function secretShipped(secretFiles: Record<string, string>, keys: JobKeys, s: { remotePath: string; name: string; content: string; mode: number; what: string }): Promise<ShippedFile> {
  secretFiles[s.name] = s.content;
  return { remotePath: s.remotePath, localFile: '', ...sha256Text(s.content), mode: s.mode, what: s.what, secret: { name: s.name, digest: await secretDigest(keys, s.content) } };
}

/** What provisioning ships, prepared on this computer: per host its files with their hashes; the secret ones' contents (in memory only); the certificates' fingerprints. */
export interface StagedFiles {
  hosts: Array<{ role: ReturnType<typeof jobHosts>[number]['role']; name: string; files: ShippedFile[] }>;
  secretFiles: Record<string, string>;
  fingerprints: { ca: string; agents: Record<string, string> };
}

const listDir = (dir: string) => readdir(dir).catch(() => [] as string[]);

/**
 * The files each host needs, prepared locally: configuration, supervisor and certificates as files
 * in the data folder; agent keys, the witness's configuration (it holds the lease key), the sealed
 * directory account and the alert receivers' secrets only in memory, written by `secret-file` steps.
 */
export async function stageFiles(job: Job, o: ProvisionOptions): Promise<StagedFiles> {
  if (!o.keys) throw new UserError('no-key-store', NO_KEY_STORE);
  const keys = o.keys;
  const base = join(o.dataDir ?? dataDir(), 'jobs', job.id);
  // Keys an earlier version kept in the clear are replaced, never carried over (job-keys.ts).
  await discardLegacyKeys(base, listDir);
  const art = agentArtifacts();
  const hosts = jobHosts(job);
  const secretFiles: Record<string, string> = {};
  const pki = await jobPki(join(base, 'pki'), keys, hosts.map((h) => ({ name: h.name, addresses: h.addresses })));
  const fo = await failoverFiles(job, base, keys, o.directory, o.onProgress, o.tsigSecrets);
  const alerts = alertReceivers(job, o.alertSecrets);
  const secrets = alertSecretsContent(job, o.alertSecrets);
  const secretFile = secrets ? await secretShipped(secretFiles, keys, { remotePath: P.secrets, name: 'alerts', content: secrets, mode: 0o600, what: 'the alert receivers\' secrets' }) : null;
  const common = [await file(P.node, art.node, 0o755, 'the agent\'s Node runtime'), await file(P.agent, art.bundle, 0o644, 'the agent'), await file(P.ca, pki.caFile, 0o644, 'the job\'s CA certificate')];
  const out: StagedFiles['hosts'] = [];
  for (const h of hosts) {
    const dir = join(base, 'hosts', hostFileName(h.name));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const mine = fo?.targets[h.name];
    const witnessKey = fo && h.role === 'witness' ? { leaseKey: fo.leaseKey } : {};
    const extras = { ...(alerts.length ? { alerts } : {}), ...(secretFile ? { secretsFile: P.secrets } : {}), ...(mine ? { failover: { planFile: FAILOVER_PATHS.plan, ...(mine.access ? { accessFile: FAILOVER_PATHS.access } : {}) } } : {}), ...witnessKey };
    const config = `${JSON.stringify({ ...agentConfig(job, h), ...extras }, null, 2)}\n`;
    // The witness's configuration holds the lease key: never a file here.
    const configFile = 'leaseKey' in witnessKey
      ? await secretShipped(secretFiles, keys, { remotePath: P.config, name: `config/${h.name}`, content: config, mode: 0o600, what: 'the agent configuration' })
      : (await writeFile(join(dir, 'agent.json'), config, { mode: 0o600 }), await file(P.config, join(dir, 'agent.json'), 0o600, 'the agent configuration'));
    await writeFile(join(dir, 'agentd'), AGENTD, { mode: 0o755 });
    const a = pki.agents[h.name]!;
    out.push({ role: h.role, name: h.name, files: [...common, await file(P.agentd, join(dir, 'agentd'), 0o755, 'the agent supervisor'), configFile,
      await file(P.cert, a.certFile, 0o644, 'the agent certificate'),
      await secretShipped(secretFiles, keys, { remotePath: P.key, name: `agent-key/${h.name}`, content: a.keyPem, mode: 0o600, what: 'the agent key' }),
      ...(mine ? [await file(FAILOVER_PATHS.plan, mine.planFile, 0o600, 'the failover plan it runs by itself')] : []),
      ...(mine?.access ? [await secretShipped(secretFiles, keys, { remotePath: FAILOVER_PATHS.access, name: `access/${h.name}`, content: mine.access, mode: 0o600, what: 'the directory account, sealed under the witness\'s key' })] : []),
      ...(secretFile ? [secretFile] : [])] });
  }
  return { hosts: out, secretFiles, fingerprints: { ca: pki.ca.fingerprint256, agents: Object.fromEntries(Object.entries(pki.agents).map(([k, v]) => [k, v.fingerprint256])) } };
}

/** The plan that would run now, and the certificate fingerprints to keep in the job. */
export async function planProvisioning(job: Job, pool: SshPool, o: ProvisionOptions = {}, staged?: StagedFiles): Promise<{ plan: Plan; fingerprints: Job['certificates'] }> {
  o.onProgress?.('Preparing the agent, its configuration and certificates');
  const { hosts, fingerprints } = staged ?? await stageFiles(job, o);
  const targets = hostTargets(job, o.sshSecret);
  const withNow = await Promise.all(hosts.map(async (h) => {
    o.onProgress?.(`Reading ${h.name}`);
    const ssh = await pool.get(targets.find((t) => t.name === h.name)!);
    const r = await ssh.exec('sh -s', { stdin: hostNowScript(h.files.map((f) => f.remotePath)), timeoutMs: 30_000, ...(o.signal ? { signal: o.signal } : {}) });
    return { ...h, now: parseHostNow(r.stdout) };
  }));
  return { plan: provisioningPlan(job, withNow), fingerprints: { ca: fingerprints.ca, agents: fingerprints.agents } };
}

/**
 * The connections a job's plans run through (SSH pool with the job's pins, plan context) and its journal folder, closed after;
 * all of it under the job's run lock, so that no other Failguard runs (or resumes) a plan of this job meanwhile.
 */
function withJob<T>(job: Job, what: string, o: ProvisionOptions, fn: (pool: SshPool, ctx: ReturnType<typeof planContext>, journals: string, staged?: StagedFiles) => Promise<T>, stage?: () => Promise<StagedFiles>): Promise<T> {
  // Staged under the lock too: a second protect of the job must not rewrite the files (or make a second CA) the first is shipping.
  return withJobLock(job.id, what, async () => {
    const staged = stage ? await stage() : undefined;
    return withJobConnections(job, o, (pool, ctx, journals) => fn(pool, ctx, journals, staged), staged);
  });
}

async function withJobConnections<T>(job: Job, o: ProvisionOptions, fn: (pool: SshPool, ctx: ReturnType<typeof planContext>, journals: string) => Promise<T>, staged?: StagedFiles): Promise<T> {
  const pool = new SshPool({ pins: job.hostKeys, acceptUnknown: [] });
  const secrets = alertSecretsContent(job, o.alertSecrets);
  const secretFiles = { ...(secrets ? { alerts: secrets } : {}), ...staged?.secretFiles };
  const keys = o.keys;
  const ctx = planContext({ hosts: hostTargets(job, o.sshSecret), pool, secretFiles, ...(keys ? { secretDigest: (c: string) => secretDigest(keys, c) } : {}), ...(o.signal ? { signal: o.signal } : {}), ...(o.directory ? { directory: o.directory } : {}), ...(o.tsigSecrets ? { tsigSecrets: o.tsigSecrets } : {}) });
  try {
    return await fn(pool, ctx, o.dataDir ? join(o.dataDir, 'journal') : journalDir());
  } finally {
    await ctx.close();
    await pool.closeAll();
  }
}

const runOptions = (o: ProvisionOptions): RunOptions => ({ ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.onStep ? { onStep: o.onStep } : {}) });

/** Runs one reviewed plan in a new journal. */
function runOne(job: Job, plan: Plan, ctx: ReturnType<typeof planContext>, journals: string, o: ProvisionOptions): Promise<PlanRunResult[]> {
  return runPlans([plan], ctx, Journal.create(journals, [plan], [...new Set(plan.steps.map(stepHost))], jobOrigin(job.id)), runOptions(o));
}

const refuseStale = (plan: Plan, consent: string | 'now', what: string) => {
  if (consent !== 'now' && consent !== plan.id) throw new UserError('plan-changed', `${what} changed since you reviewed the plan (it is now ${plan.id.slice(0, 19)}); review it again.`, { field: 'plan' });
};

/** Applies the provisioning plan the person reviewed (by id); refused when the plan of now differs. */
export async function protect(job: Job, consent: string | 'now', o: ProvisionOptions = {}): Promise<{ plan: Plan; results: PlanRunResult[]; fingerprints: Job['certificates'] }> {
  // Staged first: a run of this job cut short is finished with the secret files of now.
  return withJob(job, `protect ${job.name}`, o, async (pool, ctx, journals, staged) => {
    await recoverInterrupted(journals, ctx, { ...runOptions(o), origin: jobOrigin(job.id) });
    const { plan, fingerprints } = await planProvisioning(job, pool, o, staged);
    refuseStale(plan, consent, 'The servers or the job');
    return { plan, results: plan.steps.length ? await runOne(job, plan, ctx, journals, o) : [], fingerprints };
  }, () => stageFiles(job, o));
}

/** Runs a plan of this job (unprotect) on the engine, journaled; the plan reviewed by id. */
export async function runJobPlan(job: Job, plan: Plan, consent: string | 'now', o: ProvisionOptions = {}): Promise<PlanRunResult[]> {
  refuseStale(plan, consent, 'The job');
  return withJob(job, plan.title, o, async (_pool, ctx, journals) => {
    const earlier = o.recover ? await recoverInterrupted(journals, ctx, { ...runOptions(o), origin: jobOrigin(job.id) }) : [];
    // The plan itself, unless the run just finished was this very plan.
    if (earlier.some((r) => r.results?.some((x) => x.planId === plan.id && x.outcome === 'applied'))) return earlier.flatMap((r) => r.results ?? []);
    return [...earlier.flatMap((r) => r.results ?? []), ...(await runOne(job, plan, ctx, journals, o))];
  });
}

/** Each agent's own state, read over SSH; through the caller's pool when it keeps one (the dashboard), else a pool of its own. */
export async function agentStatus(job: Job, shared?: SshPool, sshSecret?: string): Promise<HostAgentStatus[]> {
  const pool = shared ?? new SshPool({ pins: job.hostKeys, acceptUnknown: [] });
  try {
    return await Promise.all(hostTargets(job, sshSecret).map(async (t) => {
      try {
        const r = await (await pool.get(t)).exec(agentCommand('status'), { timeoutMs: 20_000 });
        if (r.code !== 0) return { host: t.name, state: null, error: r.stderr.trim().replace(/^failguard-agent: /, '') || 'the agent is not installed' };
        return { host: t.name, state: parseAgentState(r.stdout) };
      } catch (e) {
        return { host: t.name, state: null, error: plainMessage(e) };
      }
    }));
  } finally {
    if (!shared) await pool.closeAll();
  }
}
