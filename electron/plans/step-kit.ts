/** What every step executor is made of: its interface, what a run gives it, and how it fails. */
import type { Client } from 'ldapts';
import type { SshHost } from '../hosts/ssh-connection.ts';
import type { PlanStep } from '../../shared/plan.ts';
import { UserError } from '../../shared/errors.ts';

/** A step that did not do what it should; the message is the evidence (last output line or the reason). */
export class StepFailed extends UserError {
  constructor(why: string) {
    super('step-failed', why);
  }
}

/** What a step needs of a host: run a command, copy a file (over SSH from the app; locally in the agent). */
export type StepHost = Pick<SshHost, 'exec' | 'upload'>;

/** What a run gives its steps: connections by host name and the directory, both opened on first use. */
export interface PlanContext {
  host(name: string): Promise<StepHost>;
  directory(): Promise<{ client: Client; baseDn: string }>;
  /** Extra directory connections for steps that write many objects at once (re-homing); absent: the one above. */
  directoryClients?(n: number): Promise<Client[]>;
  /** The base64 secret of a TSIG key, for RFC 2136 updates (given when the plan runs, never kept in it). */
  tsigSecret?(keyName: string): string | undefined;
  /** The content of a secret file a `secret-file` step writes (given when the plan runs, never kept in it). */
  secretContent?(name: string): string | undefined;
  /** The keyed digest a plan holds of a secret file's content: a step writes only the content the plan was made with. */
  secretDigest?(content: string): Promise<string>;
  signal?: AbortSignal;
}

export interface Executor<S extends PlanStep> {
  /** The state the step will change, read before it runs (journaled; undo restores it). */
  snapshot(step: S, ctx: PlanContext): Promise<unknown>;
  /**
   * `before`: the snapshot taken for this run of the step, and whether it was taken just now (false: the run was cut short
   * while the step ran, so some of its effect may be in place already).
   */
  apply(step: S, ctx: PlanContext, before?: { snapshot: unknown; fresh: boolean }): Promise<string>;
  /** true: the step's effect is in place; false: it is not; null: this step cannot tell (commands without `verify`). */
  verify(step: S, ctx: PlanContext): Promise<boolean | null>;
  canUndo(step: S): boolean;
  undo(step: S, ctx: PlanContext, snapshot: unknown): Promise<string>;
}

