/**
 * Steps 3 and 4 across the contract: the job the wizard built (validated by the back end
 * with the job schema), the provisioning plan shown before anything runs, its result, the
 * jobs saved on this computer and their live replication view.
 */
import type { z } from 'zod';
import type { Job, jobSchema } from './job.ts';
import type { Plan, PlanRunResult } from './plan.ts';
import type { JobChange } from './job-diff.ts';

/** A job as the wizard sends it: defaults may be left out; the back end fills and checks them. */
export type JobInput = z.input<typeof jobSchema>;

/**
 * The directory account (an automatic failover's plan is made and sealed at provisioning) and
 * the alert receivers' and TSIG secrets: used for this request and kept in the encrypted
 * store with the job, never in the job file.
 */
export interface ProtectPlanRequest {
  operationId: string; job: JobInput; directory?: DiscoverRequestDirectory; alertSecrets?: import('./alerts.ts').AlertSecrets; dnsSecrets?: Record<string, string>;
  /** The SSH key's passphrase or the SSH password typed in step 2 (absent: the one kept for the job, if any). */
  sshSecret?: string;
}
/** `changes`: against the job saved under the same id (a reconfiguration); null when this job is new. */
export interface ProtectPlanResult { job: Job; plan: Plan; changes: JobChange[] | null }

/** Consent names the plan id the person reviewed; a plan that changed since is refused. */
export interface ProtectApplyRequest extends ProtectPlanRequest { consent: string }
export interface ProtectApplyResult { job: Job; plan: Plan; results: PlanRunResult[] }

/** A job saved on this computer (after it was provisioned): what the dashboard reopens. */
import type { RehearsalSummary } from './rehearsal-report.ts';
import type { RehearsalDue } from './rehearsal-schedule.ts';

export interface SavedJob {
  job: Job; savedAt: string; lastAction?: JobAction;
  /** When it was last opened on this computer (the start page lists the last one first and marks it). */
  openedAt?: string;
  /** Its rehearsals: the last report's summary, and whether its schedule has a slot waiting (overdue after an hour). */
  rehearsal?: { last: RehearsalSummary | null; due: RehearsalDue };
  /** Which of its secrets this computer keeps (names only, never values). */
  kept?: { directory: boolean; ssh: boolean; alerts: boolean; tsigKeys: string[] };
}

/** A failover, switchover, failback or rehearsal run from this computer on a saved job. */
export interface JobAction { action: FailoverAction; target: string; at: string; outcome: 'applied' | 'failed' | 'cancelled' | 'undone' }

/** What a person can do to a protected job from the dashboard (`release`: let the retention have a standby's held points again); each is a plan shown first and confirmed by typing the target's name. */
export type FailoverAction = 'failover' | 'switchover' | 'failback' | 'rehearsal' | 'release';

export interface FailoverPlanRequest {
  operationId: string;
  jobId: string;
  action: FailoverAction;
  /** The target concerned (absent: the job's only one). */
  target?: string;
  /** The directory account (failover, switchover and failback write DNS and mailbox homes; a rehearsal needs none). */
  directory?: DiscoverRequestDirectory;
  /** A point in time (failover, switchover, rehearsal): the point to bring up, by name; absent: the newest. */
  point?: string;
  /** TSIG key name → base64 secret, for DNS records outside AD (kept for this request only). */
  dnsSecrets?: Record<string, string>;
}
export interface FailoverApplyRequest extends FailoverPlanRequest { consent: string }
export type DiscoverRequestDirectory = Pick<import('./directory.ts').DiscoverRequest, 'target' | 'credentials' | 'trust'>;
