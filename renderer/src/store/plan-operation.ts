/**
 * Runs a back-end call that plans or applies a plan as an operation, for any slice that shows
 * one (provisioning, the dashboard's failover actions): the busy state, the stage, each step's
 * state as the engine reports it, and the error as one sentence, all written into the slice.
 */
import type { Backend } from '../../../shared/contract.ts';
import type { Plan } from '../../../shared/plan.ts';
import type { StepProgress } from '../../../shared/operation.ts';
import { BackendError } from '../backend/backend-error.ts';

export interface PlanOperationState {
  busy: 'planning' | 'applying' | null;
  operationId: string | null;
  stage: string;
  error: string | null;
  plan: Plan | null;
  steps: Record<number, StepProgress['status']>;
}

export const messageOf = (e: unknown) => (e instanceof BackendError || e instanceof Error ? e.message : String(e));

export async function planOperation<S extends PlanOperationState, T>(backend: Backend, read: () => S, write: (s: S) => void, busy: 'planning' | 'applying', call: (operationId: string) => Promise<T>, start: Partial<S> = {}): Promise<T | null> {
  const operationId = `${busy}-${Date.now().toString(36)}`;
  write({ ...read(), ...start, busy, operationId, stage: 'Starting', error: null });
  const off = backend.on('operation.progress', (p) => {
    if (p.operationId !== operationId || p.finished) return;
    const cur = read();
    write({ ...cur, stage: p.stage, ...(p.step && p.step.planId === cur.plan?.id ? { steps: { ...cur.steps, [p.step.index]: p.step.status } } : {}) });
  });
  try {
    return await call(operationId);
  } catch (e) {
    write({ ...read(), error: messageOf(e) });
    return null;
  } finally {
    off();
    write({ ...read(), busy: null, operationId: null });
  }
}
