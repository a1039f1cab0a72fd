/**
 * The plans the back end has offered, by id. Consent names ids; a plan is applied only
 * when the facts of now produce the very plan that was offered (same id), so what a
 * person reviewed is exactly what runs.
 */
import type { Plan } from '../../shared/plan.ts';
import { UserError } from '../../shared/errors.ts';

export class OfferedPlans<P extends Plan> {
  readonly #plans = new Map<string, P>();
  /** Bounded: a long-running server forgets the oldest offers first. */
  readonly #limit: number;
  constructor(limit = 5000) {
    this.#limit = limit;
  }

  offer(plans: readonly P[]): void {
    for (const p of plans) {
      this.#plans.delete(p.id);
      this.#plans.set(p.id, p);
    }
    while (this.#plans.size > this.#limit) this.#plans.delete(this.#plans.keys().next().value!);
  }

  /** The offered plans for these ids; an id never offered is refused before any work. */
  lookup(ids: readonly string[]): P[] {
    return ids.map((id) => {
      const p = this.#plans.get(id);
      if (!p) throw new UserError('bad-request', 'A fix you chose was not offered by this Failguard (or was offered too long ago); run the pre-flight again and review the fixes.', { field: 'consent' });
      return p;
    });
  }
}
