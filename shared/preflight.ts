/** Pre-flight results as the UI, the CLI and the reports see them. */

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

export interface FixStep {
  /** A host name, or `directory` for a change made through LDAP on the DC. */
  host: string;
  description: string;
  /** The exact shell command (or, for the directory, the change written as samba-tool would). */
  command: string;
  /** How to put it back, where the system allows. */
  undo?: string;
  /** For directory steps: the DNS record to write. */
  dns?: { zone: string; name: string; type: 'A' | 'PTR'; value: string; previous: string[] };
}

export interface FixPlan {
  ruleId: string;
  host?: string;
  kind: 'safe' | 'confirm';
  summary: string;
  steps: FixStep[];
}

export interface FixResult {
  plan: FixPlan;
  applied: boolean;
  /** Outcome of the rule when it ran again after the fix. */
  recheck: Outcome | null;
  error?: string;
  journal: Array<{ host: string; command: string; code: number; output: string; at: string }>;
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
}

export function worstOutcome(findings: readonly Finding[]): Outcome {
  const order: Outcome[] = ['error', 'failure', 'warning', 'pass', 'not-applicable'];
  for (const o of order) if (findings.some((f) => f.outcome === o)) return o;
  return 'not-applicable';
}

/** CLI exit code: 0 all passed, 1 warnings only, 2 failures, 3 some checks could not run (and none failed). */
export function exitCodeFor(findings: readonly Finding[]): 0 | 1 | 2 | 3 {
  if (findings.some((f) => f.outcome === 'failure')) return 2;
  if (findings.some((f) => f.outcome === 'error')) return 3;
  if (findings.some((f) => f.outcome === 'warning')) return 1;
  return 0;
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
}

/** What step 2 asks for: hosts as the user set them up in the wizard, the fixes they consented to. */
export interface PreflightRunRequest extends PreflightRequest {
  /** Plans (as returned by an earlier run) the user reviewed and consented to; empty: only check. */
  fixes?: FixPlan[];
}

export interface PreflightRunResult {
  report: PreflightReport;
  /** Fixes available for what did not pass, to review before consenting. */
  plans: FixPlan[];
  /** Hosts whose key is not pinned yet: the UI shows the fingerprint and asks. */
  unknownHostKeys: Array<{ host: string; address: string; fingerprint: string }>;
  /** Keys seen on this run (to pin in the job). */
  hostKeys: Array<{ host: string; address: string; fingerprint: string }>;
}

export type ReportFormat = 'html' | 'pdf' | 'json' | 'junit';
