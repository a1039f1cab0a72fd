/** Long operations report progress under an id the UI chose, and can be cancelled by it. */
export interface OperationProgress {
  operationId: string;
  /** What is happening now, in plain words. */
  stage: string;
  done: number;
  total: number | null;
  finished: boolean;
}

export const CANCELLED = 'cancelled';
