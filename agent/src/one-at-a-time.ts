/**
 * One holder at a time, and a short wait for a turn instead of a refusal: the target receives one point at a time, and
 * the source asks for the next point as soon as the last one is confirmed, often while the target's pruning still runs.
 */
export class OneAtATime {
  #held = false;
  readonly #waiting: Array<() => void> = [];

  get held(): boolean {
    return this.#held;
  }

  /** Resolves when the holder lets go or after `ms`, whichever comes first (then `take` says whether the turn is free). */
  async waitTurn(ms: number): Promise<void> {
    if (!this.#held) return;
    await new Promise<void>((resolve) => {
      const wake = () => { clearTimeout(timer); resolve(); };
      const timer = setTimeout(() => { const i = this.#waiting.indexOf(wake); if (i >= 0) this.#waiting.splice(i, 1); resolve(); }, ms);
      this.#waiting.push(wake);
    });
  }

  /** Takes the turn if it is free; synchronous, so of two woken waiters only the first gets it. */
  take(): boolean {
    if (this.#held) return false;
    this.#held = true;
    return true;
  }

  release(): void {
    this.#held = false;
    for (const wake of this.#waiting.splice(0)) wake();
  }
}
