/** Errors meant for a person: a stable code and one plain sentence saying what to do. */
import type { ContractError } from '../../shared/contract.ts';

export class UserError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  readonly details: unknown;
  constructor(code: string, message: string, opts: { field?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.field = opts.field;
    this.details = opts.details;
  }
}

/** Anything thrown by a handler, as the UI receives it; unexpected errors keep their text but get a generic code. */
export function toContractError(e: unknown): ContractError {
  if (e instanceof UserError) return { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}), ...(e.details !== undefined ? { details: e.details } : {}) };
  if (e instanceof Error && e.name === 'AbortError') return { code: 'cancelled', message: 'The operation was cancelled.' };
  return { code: 'internal', message: `Something went wrong inside Failguard: ${e instanceof Error ? e.message : String(e)}` };
}
