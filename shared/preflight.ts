/** Pre-flight results as the UI, the CLI and the reports see them. */
import type { FixPlan, InterruptedRun, PlanRunResult } from './plan.ts';
import type { CoveredHost } from './wizard.ts';
import type { JobAlert, JobDnsRecord } from './failover-options.ts';

export type Severity = 'error' | 'warning' | 'info';
/** error = the probe itself failed: never counted as a pass or a failure. */
export type Outcome = 'pass' | 'warning' | 'failure' | 'error' | 'not-applicable';
export type Category = 'connectivity' | 'identity' | 'os' | 'time' | 'packages' | 'services' | 'storage' | 'permissions' | 'network' | 'dns' | 'directory' | 'application' | 'replication' | 'witness' | 'security';
export type Platform = 'linux' | 'windows' | 'directory' | 'network' | 'any';
export type HostRole = 'source' | 'target' | 'witness';

export interface RuleInfo {
  /** Permanent: never renamed or reused. */
  id: string;
  title: string;
  category: Category;
  platform: Platform;
  /** What a missed pass condition means: error → failure, warning → warning, info → warning shown as advice. */
  severity: Severity;
  rationale: string;
  resolution: string;
  /** An automatic fix exists (plan shown, applied on consent, re-checked). */
  fixable: boolean;
  /** safe: touches only the target or Failguard's own files; confirm: each fix needs its own yes. */
  fixKind: 'safe' | 'confirm' | 'manual';
}

export interface Evidence {
  label: string;
  value: string;
  /** The command or query the value came from. */
  source?: string;
}

export interface Finding {
  ruleId: string;
  outcome: Outcome;
  /** The host (by name) the finding is about; absent for directory-wide findings. */
  host?: string;
  message: string;
  evidence: Evidence[];
}

/** A fix as it ran on the plan engine, and the rule's outcome when it ran again after it. */
export interface FixResult extends PlanRunResult {
  plan: FixPlan;
  recheck: Outcome | null;
}

export interface PreflightReport {
  schema: 'failguard.preflight/1';
  tool: { name: 'Failguard'; version: string };
  startedAt: string;
  finishedAt: string;
  environment: { source: string; targets: string[]; witness: string | null; directory: string | null; controller: string };
  rules: RuleInfo[];
  findings: Finding[];
  fixes: FixResult[];
  acceptedWarnings: Array<{ ruleId: string; host?: string; by: string; at: string }>;
  summary: Record<Outcome, number>;
  /** The worst outcome, by the one fold (`foldOutcomes`). */
  worst: Outcome;
}

/** From worst to best: a known failure outranks a check that could not run, which outranks a warning. */
export const OUTCOME_ORDER: readonly Outcome[] = ['failure', 'error', 'warning', 'pass', 'not-applicable'];

/** Exit codes of `failguard preflight` for each worst outcome (documented in `failguard --help` and the README). */
export const OUTCOME_EXIT: Record<Outcome, 0 | 1 | 2 | 3> = { 'failure': 2, 'error': 3, 'warning': 1, 'pass': 0, 'not-applicable': 0 };

export interface OutcomeFold {
  worst: Outcome;
  counts: Record<Outcome, number>;
  exitCode: 0 | 1 | 2 | 3;
}

/** The one fold of findings: the run, the CLI, the store and the reports all use it. */
export function foldOutcomes(findings: readonly { outcome: Outcome }[]): OutcomeFold {
  const counts: Record<Outcome, number> = { 'pass': 0, 'warning': 0, 'failure': 0, 'error': 0, 'not-applicable': 0 };
  for (const f of findings) counts[f.outcome]++;
  const worst = OUTCOME_ORDER.find((o) => counts[o] > 0) ?? 'not-applicable';
  return { worst, counts, exitCode: OUTCOME_EXIT[worst] };
}

import type { DirectoryCredentials, DirectoryTarget, DirectoryTrust } from './directory.ts';
import type { HostKeyPin, HostTarget } from './hosts.ts';

/** The agent's replication port; pre-flight checks the path to it before the agent exists. */
export const REPLICATION_PORT = 7420;

export interface PreflightRequest {
  operationId: string;
  /** Host names should be the directory's server names (MAIL1), so directory rules can match them. */
  source: HostTarget;
  targets: HostTarget[];
  witness?: HostTarget;
  directory?: { target: DirectoryTarget; credentials: DirectoryCredentials; trust?: DirectoryTrust };
  /** Host keys pinned in the job. */
  pins: HostKeyPin[];
  /** Fingerprints the user has just accepted (trust on first use). */
  acceptHostKeys?: string[];
  replicationPort?: number;
  /** Step 3's choices, when known (the job): their rules check the DNS records, TSIG keys, services and alert receivers. */
  choices?: { dns: JobDnsRecord[]; services: string[]; alerts: JobAlert[] };
  /** TSIG key name → base64 secret, to test the keys (never reported). */
  tsigSecrets?: Record<string, string>;
}

/** What step 2 asks for: hosts as the user set them up in the wizard, the fixes they consented to. */
export interface PreflightRunRequest extends PreflightRequest {
  /** Ids of plans (offered by an earlier run) the user reviewed and consented to; empty: only check. */
  consent?: string[];
  /** A run cut short earlier on these servers is finished (default) or rolled back when this run applies changes. */
  interrupted?: 'resume' | 'rollback';
  /** A reopened job: where a host brings no key passphrase or password, the back end uses the one kept for this job. */
  sshSecretFor?: string;
}

export interface PreflightRunResult {
  report: PreflightReport;
  /** Fixes available for what did not pass, to review before consenting. */
  plans: FixPlan[];
  /** Hosts whose key is not pinned yet: the UI shows the fingerprint and asks. */
  unknownHostKeys: Array<{ host: string; address: string; fingerprint: string }>;
  /** The hosts this run covered, as they were requested (before name resolution): step 3 opens only for this selection. */
  covered: CoveredHost[];
  /** Runs the journal showed unfinished, found at the start of this one: resumed here, or still waiting for their hosts. */
  recovered: RecoveredRun[];
  /** Keys seen on this run (to pin in the job). */
  hostKeys: Array<{ host: string; address: string; port: number; fingerprint: string }>;
}

export type ReportFormat = 'html' | 'pdf' | 'json' | 'junit';

export interface RecoveredRun {
  run: InterruptedRun;
  /** What resuming did, plan by plan; absent when the run is still waiting. */
  results?: PlanRunResult[];
  /** Why it was not resumed now (its hosts are not all part of this run). */
  waiting?: string;
}
