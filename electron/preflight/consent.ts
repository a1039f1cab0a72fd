/** Matching a person's consent (plan ids) to the plans the facts of now produce. */
import type { FixResult } from '../../shared/preflight.ts';
import type { FixPlan } from '../../shared/plan.ts';
import type { ConsentDecision } from './run.ts';

const refused = (plan: FixPlan, error: string): FixResult => ({ plan, planId: plan.id, title: plan.title, outcome: 'refused', error, steps: [], recheck: null });

/** Consented plans run only when the fresh facts give the same plan (same id); otherwise they are refused with why. */
export function consentTo(consented: readonly FixPlan[]): ConsentDecision {
  return (fresh) => {
    const run: FixPlan[] = [];
    const out: FixResult[] = [];
    for (const c of consented) {
      const same = fresh.find((p) => p.id === c.id);
      if (same) {
        run.push(same);
        continue;
      }
      const subject = c.host ?? 'The directory';
      const now = fresh.find((p) => p.ruleId === c.ruleId && p.host === c.host);
      out.push(refused(c, now
        ? `${subject} changed since you reviewed this fix; review it again.`
        : `${subject} no longer needs this fix (the check has no fix to offer now); nothing was changed.`));
    }
    return { run, refused: out };
  };
}

/** `failguard preflight --fix`: the person consented to every plan this run offers. */
export const consentToAll: ConsentDecision = (fresh) => ({ run: fresh, refused: [] });
