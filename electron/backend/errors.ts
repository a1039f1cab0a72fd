/** Errors across the contract: anything a handler throws, as the UI receives it (code + one plain sentence). */
import type { ContractError } from '../../shared/contract.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';

export function toContractError(e: unknown): ContractError {
  if (e instanceof UserError) return { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}), ...(e.details !== undefined ? { details: e.details } : {}) };
  if (e instanceof Error && e.name === 'AbortError') return { code: 'cancelled', message: 'The operation was cancelled.' };
  return { code: 'internal', message: plainMessage(e) };
}
