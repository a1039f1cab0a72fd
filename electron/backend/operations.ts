/** Long operations by the id the UI gave them, so any transport can cancel them. */
export class Operations {
  readonly #running = new Map<string, AbortController>();

  /** Registers an operation; the signal aborts when it is cancelled. Call the returned function when it ends. */
  start(operationId: string): { signal: AbortSignal; end: () => void } {
    if (this.#running.has(operationId)) throw new Error(`An operation with id ${operationId} is already running.`);
    const controller = new AbortController();
    this.#running.set(operationId, controller);
    return { signal: controller.signal, end: () => this.#running.delete(operationId) };
  }

  cancel(operationId: string): boolean {
    const c = this.#running.get(operationId);
    if (!c) return false;
    c.abort();
    return true;
  }

  get size(): number {
    return this.#running.size;
  }
}
