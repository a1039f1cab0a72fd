/**
 * What an automatic failover needs on the hosts, prepared at provisioning: on each target the
 * failover plan of now (sealed: the very plan `failguard failover` would show) and the directory
 * account sealed under the job's lease key; on the witness that key, which it hands out only with
 * the lease. Alert mode needs none of it: a person runs the plan from the app.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from '../../shared/job.ts';
import { UserError } from '../../shared/errors.ts';
import { newLeaseKey, sealAccess } from '../directory/sealed-access.ts';
import { planFailover, requireTsigSecrets, type DirectoryAccess } from '../failover/plan-now.ts';
import { hostFileName } from './host-file-name.ts';
import type { JobKeys } from '../jobs/job-keys.ts';


export interface FailoverFiles {
  leaseKey: string;
  /** Per target name: its plan's local file, and (when the plan writes to the directory) the sealed account, in memory only. */
  targets: Record<string, { planFile: string; access: string | null }>;
}

/** The job's lease key, made once and kept with its other keys, so an unchanged job seals the same bytes. */
async function leaseKey(keys: JobKeys): Promise<string> {
  const kept = keys.get('pki/lease.key');
  if (kept !== null) return kept.trim();
  const k = newLeaseKey();
  await keys.set('pki/lease.key', k);
  return k;
}

export async function failoverFiles(job: Job, base: string, keys: JobKeys, directory: DirectoryAccess | undefined, onProgress?: (s: string) => void, tsigSecrets?: Record<string, string>): Promise<FailoverFiles | null> {
  if (job.failover.mode !== 'automatic') return null;
  if (!job.witness) throw new UserError('no-witness', 'Automatic failover needs a witness: without one nothing proves the source is down. Add a witness, or choose "alert, then one click".', { field: 'witness' });
  // Every Exchange failover re-homes mailboxes, so the account is always needed.
  if (!directory) {
    throw new UserError('no-directory', `Automatic failover repoints DNS and re-homes mailboxes from ${job.targets.map((t) => t.name).join(', ')} itself, so provisioning needs the directory account (kept there sealed; the key stays with the witness). Give --dc, --user and --password-stdin.`, { field: 'directory' });
  }
  const key = await leaseKey(keys);
  const targets: FailoverFiles['targets'] = {};
  for (const t of job.targets) {
    onProgress?.(`Preparing the failover plan ${t.name} runs by itself`);
    const plan = await planFailover(job, directory!, t.name);
    requireTsigSecrets(plan, tsigSecrets);
    const dir = join(base, 'hosts', hostFileName(t.name));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const planFile = join(dir, 'failover-plan.json');
    await writeFile(planFile, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
    const writes = plan.steps.some((s) => s.kind === 'dns-record' || s.kind === 'rehome' || s.kind === 'directory-modify');
    // The sealed file holds the directory account and the TSIG secrets the plan signs with.
    let access: string | null = null;
    if (writes) {
      // Only the keys this plan signs with go along.
      const tsig = Object.fromEntries(plan.steps.flatMap((s) => (s.kind === 'dns-record' && s.server ? [[s.server.key, tsigSecrets![s.server.key]!]] : [])));
      access = sealAccess(key, { target: directory!.target, credentials: directory!.credentials, ...(directory!.trust ? { trust: directory!.trust } : {}), ...(Object.keys(tsig).length ? { tsig } : {}) });
    }
    targets[t.name] = { planFile, access };
  }
  return { leaseKey: key, targets };
}
