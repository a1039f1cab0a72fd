/** The agent's configuration for one host of a job (written to /etc/failguard/agent.json): pure, from the job alone. */
import { posix } from 'node:path';
import type { Job } from '../../shared/job.ts';
import { thresholdsOf } from '../../shared/health-check.ts';
import { UserError } from '../../shared/errors.ts';
import { HOST_PATHS } from './host-layout.ts';

export type HostRoleInJob = 'source' | 'target' | 'witness';

export function jobHosts(job: Job): Array<{ role: HostRoleInJob; name: string; address: string; addresses: string[] }> {
  const pathAddresses = (name: string, own: string, side: 'sourceAddress' | 'targetAddress') =>
    [own, ...job.targets.flatMap((t) => (side === 'sourceAddress' || t.name === name ? [t.options.path[side]] : [])).filter((x): x is string => !!x)];
  return [
    ...job.targets.map((t) => ({ role: 'target' as const, name: t.name, address: t.address, addresses: pathAddresses(t.name, t.address, 'targetAddress') })),
    // The witness before the source: a source's agent serves only once the witness has answered.
    ...(job.witness ? [{ role: 'witness' as const, name: job.witness.name, address: job.witness.address, addresses: [job.witness.address] }] : []),
    { role: 'source' as const, name: job.source.name, address: job.source.address, addresses: pathAddresses(job.source.name, job.source.address, 'sourceAddress') },
  ];
}

export function agentConfig(job: Job, host: { role: HostRoleInJob; name: string }) {
  if (job.protect.length !== 1) throw new UserError('bad-job', 'On Linux the protection set must be one btrfs subvolume, so that one snapshot catches it whole; put the data under one subvolume (e.g. /srv/mail).', { field: 'protect' });
  const subvolume = job.protect[0]!;
  const base = posix.join(posix.dirname(subvolume), '.failguard');
  const target = job.targets.find((t) => t.name === host.name);
  return {
    version: 1 as const, jobId: job.id, jobName: job.name, host: host.name, role: host.role,
    listen: { address: '0.0.0.0', port: job.replicationPort },
    tls: { ca: HOST_PATHS.ca, cert: HOST_PATHS.cert, key: HOST_PATHS.key },
    subvolume, pointsDir: posix.join(base, 'points'), receiveDir: posix.join(base, 'received'), stateDir: HOST_PATHS.stateDir,
    targets: host.role === 'source' ? job.targets.map((t) => ({
      name: t.name, address: t.options.path.targetAddress ?? t.address, port: job.replicationPort,
      ...(t.options.path.sourceAddress ? { sourceAddress: t.options.path.sourceAddress } : {}),
      compression: t.options.compression, schedule: t.options.schedule, intervalSeconds: t.options.intervalSeconds,
    })) : [],
    // A standby that takes over sends on to the others, over their own addresses (the job's paths are the source's).
    // The witness knows the standbys by name: only they may ever be granted the lease.
    ...(host.role === 'witness' ? { standbyNames: job.targets.map((t) => t.name) } : {}),
    ...(host.role === 'target' && job.targets.length > 1 ? { standbys: job.targets.filter((t) => t.name !== host.name).map((t) => ({
      name: t.name, address: t.address, port: job.replicationPort,
      compression: t.options.compression, schedule: t.options.schedule, intervalSeconds: t.options.intervalSeconds,
    })) } : {}),
    retention: target?.options.retention ?? { last: 60, hourlyForHours: 24, dailyForDays: 7 },
    // A standby watches its own RPO against the job's thresholds (its own, when the job gives it some).
    ...(host.role === 'target' ? { health: (({ warn, crit }) => ({ rpoWarnSeconds: warn, rpoCriticalSeconds: crit }))(thresholdsOf(job, host.name)) } : {}),
    ...(host.role !== 'witness' && job.metrics.textfileDir ? { metrics: { textfileDir: job.metrics.textfileDir } } : {}),
    ...(host.role !== 'witness' ? { watch: { noSendMinutes: job.health.noSendMinutes, syncStallMinutes: job.health.syncStallMinutes, minFreePercent: job.health.minFreePercent } } : {}),
    monitor: {
      source: { name: job.source.name, address: job.source.address, port: job.replicationPort },
      ...(job.witness ? { witness: { name: job.witness.name, address: job.witness.address, port: job.replicationPort } } : {}),
      mode: job.failover.mode, timeoutSeconds: job.failover.timeoutSeconds, profile: job.failover.profile, services: job.failover.services,
    },
  };
}
