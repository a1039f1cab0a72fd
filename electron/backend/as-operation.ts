/**
 * A long call as an operation: cancellable under the id the UI chose, its stages (and a
 * plan's steps) pushed as `operation.progress`, and always a last "Finished" event.
 */
import type { CallContext } from './handler-types.ts';
import type { Operations } from './operations.ts';
import type { StepProgress } from '../../shared/operation.ts';

export interface OperationHooks {
  signal: AbortSignal;
  /** A new stage; without `done`, stages are counted. */
  onProgress: (stage: string, done?: number, total?: number | null) => void;
  onStep: (s: StepProgress) => void;
}

export async function asOperation<T>(operations: Operations, operationId: string, ctx: CallContext, fn: (o: OperationHooks) => Promise<T>): Promise<T> {
  const op = operations.start(operationId);
  let done = 0;
  let stage = 'Starting';
  try {
    return await fn({
      signal: op.signal,
      onProgress: (s, d, total = null) => { stage = s; done = d ?? done + 1; ctx.emit('operation.progress', { operationId, stage: s, done, total, finished: false }); },
      onStep: (step) => ctx.emit('operation.progress', { operationId, stage, done, total: null, finished: false, step }),
    });
  } finally {
    ctx.emit('operation.progress', { operationId, stage: 'Finished', done, total: done, finished: true });
    op.end();
  }
}
