import type { ContractError } from '../../../shared/contract.ts';

/** A failed call, as the UI handles it: the code decides, the message is shown. */
export class BackendError extends Error implements ContractError {
  readonly code: string;
  readonly field?: string;
  readonly details?: unknown;
  constructor(e: ContractError) {
    super(e.message);
    this.code = e.code;
    if (e.field !== undefined) this.field = e.field;
    if (e.details !== undefined) this.details = e.details;
  }
}

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ContractError };

export function unwrap<T>(env: Envelope<T>): T {
  if (env.ok) return env.result;
  throw new BackendError(env.error);
}
