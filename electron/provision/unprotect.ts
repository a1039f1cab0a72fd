/**
 * Removing protection: agents stopped and removed, configuration and certificates gone,
 * the data kept — and the points too, unless `purge` (then every point Failguard made on
 * the host is deleted). A plan like any other, shown before it runs.
 */
import { posix } from 'node:path';
import type { Job } from '../../shared/job.ts';
import type { Plan, PlanStep } from '../../shared/plan.ts';
import { sealPlan } from '../plans/plan-id.ts';
import { shq } from '../hosts/shell.ts';
import { ADMISSION_MARK, DOVECOT_ADMISSION, HOST_PATHS as P } from './host-layout.ts';
import { agentConfig, jobHosts } from './agent-config.ts';
import { shellCommand } from '../../shared/quote.ts';

/** What `find` leaves in the witness's state folder: the lease and its history (an old source must never be told again that it may serve). */
const KEEP_LEASE = " -not -name 'lease.json' -not -name 'lease-history.jsonl'";
/** A standby's held points stay held while its points stay: protected again, its agent must not prune them. */
const KEEP_HOLDS = " -not -name 'holds.json'";

export function unprotectPlan(job: Job, purge: boolean): Plan {
  const steps: PlanStep[] = [];
  for (const h of jobHosts(job)) {
    steps.push({ kind: 'command', host: h.name, description: `stop the agent on ${h.name}`, command: `[ ! -x ${P.agentd} ] || ${P.agentd} stop`, verify: `[ ! -x ${P.agentd} ] || ! ${P.agentd} status` });
    steps.push({ kind: 'command', host: h.name, description: `stop starting Failguard's agent when ${h.name} boots, and let the mail services start by themselves again as they did before`,
      command: `[ ! -x ${P.agentd} ] || ${P.agentd} boot off`, verify: `[ ! -e ${P.unit} ] && [ ! -e /etc/init.d/failguard-agent ]` });
    if (h.role !== 'witness') {
      steps.push({ kind: 'command', host: h.name, description: `let Postfix and Dovecot on ${h.name} take mail and sign-ins without asking Failguard's agent again (their configuration as it was before)`,
        command: `[ ! -x ${P.agentd} ] || ${P.agentd} admission off`, verify: `{ ! command -v postconf >/dev/null 2>&1 || ! postconf -h smtpd_recipient_restrictions | grep -qF ${shq(ADMISSION_MARK)}; } && [ ! -e ${DOVECOT_ADMISSION} ]` });
    }
    // The witness keeps its lease and its history: an old source must never be told again that it may serve.

    if (h.role !== 'witness' && job.metrics.textfileDir) {
      // A file left there would show node_exporter this job's last figures for ever.
      const prom = shq(posix.join(job.metrics.textfileDir, 'failguard.prom'));
      steps.push({ kind: 'command', host: h.name, description: `delete the agent's metrics file on ${h.name} (Prometheus no longer sees this job there)`, command: `rm -f ${prom}`, verify: `! test -e ${prom}` });
    }
    const keep = h.role === 'witness' ? KEEP_LEASE : purge ? '' : KEEP_HOLDS;
    steps.push({ kind: 'command', host: h.name, description: `remove the agent, its configuration and certificates from ${h.name}${h.role === 'witness' ? ' (the lease and its history stay)' : purge ? '' : ' (the list of held points stays with the points)'}`,
      command: `rm -rf ${P.dir} ${P.confDir}/* && find ${P.stateDir} -mindepth 1 -maxdepth 1${keep} -exec rm -rf {} + && rm -f ${P.unit}`, verify: `! test -e ${P.agentd}` });
    if (purge && h.role !== 'witness') {
      const c = agentConfig(job, h);
      steps.push({ kind: 'command', host: h.name, description: `delete every consistency point Failguard made on ${h.name}, held ones too (the tripwire's clean points, data a failover set aside); the protected data itself stays`,
        // Besides the points: what failovers kept aside there (the data from before a promotion, a promoted copy), and points set aside as diverged.
        command: `for d in ${shellCommand([c.pointsDir, c.receiveDir])}; do for p in "$d"/*; do [ -d "$p" ] && btrfs -q subvolume delete "$p"; done; done; for p in ${shq(posix.dirname(c.pointsDir))}/before-failover-* ${shq(posix.dirname(c.pointsDir))}/promoted-*; do [ -d "$p" ] && { btrfs -q subvolume delete "$p" 2>/dev/null || rm -rf "$p"; }; done; rmdir ${shellCommand([c.pointsDir, c.receiveDir])} 2>/dev/null; rmdir ${shq(posix.dirname(c.pointsDir))} 2>/dev/null; true`,
        verify: `for d in ${shellCommand([c.pointsDir, c.receiveDir])}; do [ ! -e "$d" ] || exit 1; done` });
    }
  }
  return sealPlan({ title: `Stop protecting ${job.source.name}${purge ? ' and delete its consistency points' : ' (data and points kept)'}`, onFailure: 'stop' as const, steps });
}
