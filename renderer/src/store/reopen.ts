/**
 * A saved job back in the wizard, to reconfigure it: every step's fields as the job has them
 * (the directory and its trusted certificates, the servers and their addresses, the pinned
 * host keys, each target's options, the failover choices), under the job's own id, so step 4
 * shows what changes against it and provisions only that. Passwords are not filled in: the
 * back end uses the one kept for the job when the request says `savedFor`.
 */
import type { Job } from '../../../shared/job.ts';
import { parseSchedule } from '../../../shared/schedule.ts';
import type { Store } from './index.ts';
import type { TargetDraft } from './options-slice.ts';
import type { FailoverDraft } from './failover-options.ts';
import { draftsOfAlerts } from './alert-options.ts';
import { healthDraftOf } from './health-options.ts';

export function draftOfTarget(t: Job['targets'][number]): TargetDraft {
  const p = parseSchedule(t.options.schedule);
  return {
    sourceAddress: t.options.path.sourceAddress ?? '', targetAddress: t.options.path.targetAddress ?? '', compression: t.options.compression,
    limits: p.ok ? [...p.limits] : Array<number | null>(168).fill(null),
    intervalSeconds: String(t.options.intervalSeconds), retentionLast: String(t.options.retention.last), retentionHourly: String(t.options.retention.hourlyForHours), retentionDaily: String(t.options.retention.dailyForDays),
  };
}

export function failoverDraftOf(f: Job['failover']): FailoverDraft {
  return {
    mode: f.mode, timeoutSeconds: String(f.timeoutSeconds), services: f.services.join(', '),
    dns: f.dns.map((r) => ({ zone: r.zone, name: r.name, type: r.type, ttl: String(r.ttl), server: r.server?.address ?? '', key: r.server?.key ?? '' })),
  };
}

/** The store's fields for reconfiguring `job`; `kept`: which of its secrets are kept on this computer (the directory password, the SSH passphrase or password). */
export function wizardStateOf(job: Job, kept: { directory: boolean; ssh: boolean }): Partial<Store> {
  const d = job.directory;
  const h = job.source;
  return {
    jobId: job.id,
    reopened: { jobId: job.id, source: job.source.name, targets: job.targets.map((t) => t.name), passwordKept: kept.directory, sshSecretKept: kept.ssh },
    form: {
      mode: d?.target.kind ?? 'domain', domain: d?.target.kind === 'domain' ? d.target.domain : '', url: d?.target.kind === 'url' ? d.target.url : '',
      dnsServer: d?.target.dnsServer ?? '', username: d?.username ?? '', password: '',
    },
    caPem: d?.caPem ?? null, caName: d?.caPem ? 'the CA saved with the job' : null, pinned: d?.pinned ?? [],
    topology: null, source: null, targets: [],
    ssh: {
      user: h.sshUser, method: h.sshAuth ?? (h.sshKeyFile ? 'key' : 'agent'), keyFile: h.sshKeyFile ?? '', secret: '', witness: job.witness?.address ?? '',
      addresses: Object.fromEntries([job.source, ...job.targets].map((h) => [h.name, h.address])),
    },
    pins: job.hostKeys.map((k) => ({ host: k.host, port: k.port, algorithm: k.algorithm, fingerprint: k.fingerprint })),
    jobName: job.name,
    drafts: Object.fromEntries(job.targets.map((t) => [t.name, draftOfTarget(t)])),
    failoverDraft: failoverDraftOf(job.failover),
    alertDrafts: draftsOfAlerts(job.alerts),
    healthDraft: healthDraftOf(job),
  };
}
