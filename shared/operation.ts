/** Long operations report progress under an id the UI chose, and can be cancelled by it. */
export interface OperationProgress {
  operationId: string;
  /** What is happening now, in plain words. */
  stage: string;
  done: number;
  total: number | null;
  finished: boolean;
  /** For plans: the step that just started or ended, so the UI can show progress per step. */
  step?: StepProgress;
}

export interface StepProgress { planId: string; index: number; status: 'running' | 'applied' | 'verified-earlier' | 'failed' | 'undone' | 'undo-failed' }

export const CANCELLED = 'cancelled';
