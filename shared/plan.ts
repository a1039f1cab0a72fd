/**
 * Plans: everything irreversible Failguard does (pre-flight fixes today; provisioning,
 * failover and failback next) is a plan of steps that a person reviews before it runs.
 * A plan is data. Its id is a hash of its whole content (computed by the back end), so
 * consent given to an id is consent to exactly these steps; what the review shows is
 * rendered from the steps here, so it cannot differ from what runs.
 */

import type { DnsRecordType } from './dns-record.ts';
export type { DnsRecordType } from './dns-record.ts';

/** A DNS server outside AD that takes RFC 2136 updates signed with a TSIG key (its secret is given when the plan runs). */
export interface DnsUpdateServer { address: string; port: number; key: string; algorithm: 'hmac-sha256' | 'hmac-sha512' }

/** One attribute change of a directory modify, values as text. */
export interface DirectoryChange {
  operation: 'replace' | 'add' | 'delete';
  attribute: string;
  values: string[];
}

/**
 * The closed union of step kinds. Each kind has one executor, one verification and one
 * undo, in `electron/plans/executors.ts`.
 */
export type PlanStep =
  | {
    kind: 'command';
    /** The host, by the name the plan's run knows it (MAIL2, witness). */
    host: string;
    description: string;
    /** Runs with `sh -c` as the SSH user; exit 0 is success. */
    command: string;
    /** Exit 0 proves the step took effect (also how an interrupted run tells whether it ran); without it, exit 0 of the command is the proof. */
    verify?: string;
    /** Puts back the state before the step; absent: it cannot be undone automatically. */
    undo?: string;
    /**
     * `progress`: a wait that the command bounds itself by progress (it fails once nothing moved
     * for its own idle limit), so the step has no fixed time limit of its own — a large transfer
     * is never cut off while it advances. Without it a command has two minutes.
     */
    waits?: 'progress';
  }
  | {
    kind: 'dns-record';
    description: string;
    /** Absent: the AD-integrated zone, written over LDAP on the DC; else an RFC 2136 update to this server. */
    server?: DnsUpdateServer;
    zone: string;
    /** Relative to the zone; '@' is the zone's apex. */
    name: string;
    type: DnsRecordType;
    /** The whole record set of this type after the step, in presentation form ("10 mail2.lab.test" for an MX). */
    values: string[];
    /** Seconds (absent: 900 in AD, 300 elsewhere). */
    ttl?: number;
    /** What the record set held when the plan was made (the exact state is journaled when the step runs). */
    previous: string[];
    /** DNS servers asked after the write; each must answer with exactly `values`. */
    askServers?: string[];
  }
  | {
    kind: 'upload';
    host: string;
    description: string;
    /** A file on this computer; its SHA-256 is part of the plan, so a changed file is a changed plan. */
    localFile: string;
    sha256: string;
    size: number;
    remotePath: string;
    /** Unix mode, e.g. 0o755. */
    mode: number;
  }
  | {
    /**
     * A file of secrets written on a host (the alert receivers' passwords and keys): its content is
     * given to the run and never lies in the plan, the journal or a file on this computer; the plan
     * holds only a keyed digest, so it changes when the secret does and cannot be searched for it.
     */
    kind: 'secret-file';
    host: string;
    description: string;
    /** Which of the run's secret contents (by name). */
    secret: string;
    /** HMAC-SHA256 of the content under the job's own digest key (kept beside its CA). */
    digest: string;
    remotePath: string;
    mode: number;
  }
  | {
    kind: 'directory-modify';
    description: string;
    dn: string;
    changes: DirectoryChange[];
  }
  | {
    /**
     * Every mailbox homed on one database moved to another: exactly one modify per object
     * (homeMDB, msExchHomeServerName, and homeMTA where it is set), over several connections.
     * Which objects is read when the step runs; their old values are journaled before.
     */
    kind: 'rehome';
    description: string;
    fromDatabase: string;
    toDatabase: string;
    /** The target server's legacyExchangeDN (msExchHomeServerName). */
    toServer: string;
    /** The target server's MTA object, written only where homeMTA is set. */
    toMta: string | null;
  };

export type StepKind = PlanStep['kind'];

/** What happens when a step fails: undo the steps before it (fixes, provisioning), or stop and wait for a person (failover). */
export type FailurePolicy = 'undo' | 'stop';

export interface Plan {
  /** `sha256:` + hex digest of every other field: any change to a step gives another id. */
  id: string;
  title: string;
  onFailure: FailurePolicy;
  steps: PlanStep[];
}

/** A plan as a pre-flight rule offers it. */
export interface FixPlan extends Plan {
  ruleId: string;
  /** The host the fix is about (absent for directory-wide fixes). */
  host?: string;
  /** safe: touches only the target or Failguard's own files; confirm: each fix needs its own yes. */
  kind: 'safe' | 'confirm';
}

/** One step as a person reads it: where it runs, exactly what runs, and how it is undone. */
export interface StepView {
  where: string;
  action: string;
  undo: string;
}

/** Renders a step from its own fields; the review dialog, the CLI and the reports all use this. */
export function describeStep(step: PlanStep): StepView {
  switch (step.kind) {
    case 'command':
      return { where: step.host, action: step.command, undo: step.undo ?? 'cannot be undone automatically' };
    case 'dns-record':
      return {
        where: step.server ? `DNS server ${step.server.address} (RFC 2136 update signed with the key ${step.server.key})` : 'directory (LDAP on the domain controller)',
        action: `replace the ${step.type} records of ${step.name === '@' ? step.zone : `${step.name}.${step.zone}`} (${step.previous.length ? step.previous.join(', ') : 'none'}) with ${step.values.length ? step.values.map((v) => `${step.type} ${v}`).join(', ') : 'none'}, TTL ${step.ttl ?? (step.server ? 300 : 900)} s${step.askServers?.length ? `; then ask ${step.askServers.join(', ')}` : ''}`,
        undo: step.previous.length ? `put back ${step.previous.join(', ')} exactly as read before the change` : `remove the ${step.type} records again`,
      };
    case 'upload':
      return {
        where: step.host,
        action: `copy ${step.localFile.split(/[\\/]/).at(-1)} (${step.size} bytes, SHA-256 ${step.sha256.slice(0, 16)}…) to ${step.remotePath}, mode ${step.mode.toString(8).padStart(4, '0')}`,
        undo: `put back the previous ${step.remotePath} (kept beside it while the plan runs), or remove it if there was none`,
      };
    case 'secret-file':
      return {
        where: step.host,
        action: `write the ${step.secret} secrets to ${step.remotePath}, mode ${step.mode.toString(8).padStart(4, '0')} (their values are not shown)`,
        undo: `put back the previous ${step.remotePath} (kept beside it while the plan runs), or remove it if there was none`,
      };
    case 'rehome':
      return {
        where: 'directory (LDAP on the domain controller)',
        action: `move every mailbox homed on ${step.fromDatabase} to ${step.toDatabase} (homeMDB, msExchHomeServerName = ${step.toServer}${step.toMta ? `, homeMTA = ${step.toMta}` : ''}), one modify each`,
        undo: 'put back each mailbox\'s previous values, as read before the change',
      };
    case 'directory-modify':
      return {
        where: 'directory (LDAP on the domain controller)',
        action: `modify ${step.dn}: ${step.changes.map((c) => `${c.operation} ${c.attribute}${c.values.length ? ` = ${c.values.join(', ')}` : ''}`).join('; ')}`,
        undo: 'put back the previous values exactly as read before the change',
      };
    default:
      return assertNeverStep(step);
  }
}

/** The host a step touches (the directory counts as one). */
export function stepHost(step: PlanStep): string {
  return step.kind === 'command' || step.kind === 'upload' || step.kind === 'secret-file' ? step.host : 'directory';
}

function assertNeverStep(x: never): never {
  throw new Error(`Unknown plan step: ${JSON.stringify(x)}`);
}

/** What happened to one step of a run, as the journal recorded it. */
export interface StepRecord {
  index: number;
  where: string;
  action: string;
  status: 'applied' | 'failed' | 'undone' | 'undo-failed' | 'verified-earlier';
  output: string;
  /** When it was recorded (the step's end). */
  at: string;
  /** How long the step took, from before its snapshot to after its verification (absent for undo records). */
  ms?: number;
}

export type PlanOutcome =
  /** Every step ran and was verified. */
  | 'applied'
  /** A step failed and the steps before it were undone. */
  | 'undone'
  /** A step failed and the plan stopped there for a person (or its undo failed too). */
  | 'stopped'
  /** Not run: the plan no longer matches the facts, or was never offered. */
  | 'refused'
  /** Not run: cancelled before it started. */
  | 'cancelled';

export interface PlanRunResult {
  planId: string;
  title: string;
  outcome: PlanOutcome;
  /** One plain sentence when the outcome is not `applied`. */
  error?: string;
  steps: StepRecord[];
}

/** A journal that did not end: the next start finds it and says what it did with it. */
export interface InterruptedRun {
  runId: string;
  startedAt: string;
  plans: Array<{ planId: string; title: string; stepsDone: number; steps: number }>;
  hosts: string[];
  /** Whose run it was (`job:<id>`, `preflight:<hosts>`); null for a journal written before runs said so. */
  origin: string | null;
}
