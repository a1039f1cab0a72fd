/** Every request that crosses a transport is parsed by its schema before a handler sees it; a malformed one is a `bad-request` naming the field. */
import { REQUEST_SCHEMAS, firstIssue } from '../../shared/schemas.ts';
import type { MethodName, RequestOf } from '../../shared/contract.ts';
import { UserError } from '../../shared/errors.ts';

export function parseRequest<M extends MethodName>(method: M, request: unknown): RequestOf<M> {
  const r = REQUEST_SCHEMAS[method].safeParse(request ?? {});
  if (r.success) return r.data;
  const { field, message } = firstIssue(r.error);
  throw new UserError('bad-request', `The request was refused: ${message}. Nothing was done.`, { field });
}
