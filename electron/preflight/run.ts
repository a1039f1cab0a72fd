/**
 * Running pre-flight: gather, judge every rule, and (on consent) fix: each plan is
 * applied step by step and journaled; a failed step undoes the steps before it; then
 * the facts are gathered again and the rule must pass to count as fixed.
 */
import type { Finding, FixPlan, FixResult, PreflightRequest, RuleInfo } from '../../shared/preflight.ts';
import { RULES } from './rules/index.ts';
import { ruleInfo, type Rule } from './rule.ts';
import { gatherFacts, type GatherOptions } from './gather.ts';
import type { PreflightFacts } from './facts.ts';
import { applyPlan, type DirectoryWriter } from './apply-fix.ts';
import { UserError } from '../backend/errors.ts';

export function evaluateAll(f: PreflightFacts, rules: readonly Rule[] = RULES): Finding[] {
  return rules.flatMap((r) => r.evaluate(f));
}

export function catalog(rules: readonly Rule[] = RULES): RuleInfo[] {
  return rules.map(ruleInfo);
}

/** Plans for every finding that did not pass and whose rule can fix it. */
export function planFixes(f: PreflightFacts, findings: readonly Finding[], rules: readonly Rule[] = RULES): FixPlan[] {
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  return findings.filter((x) => x.outcome === 'failure' || x.outcome === 'warning').flatMap((x) => {
    const p = byId.get(x.ruleId)?.fix?.plan(f, x);
    return p && p.steps.length ? [p] : [];
  });
}

export interface PreflightRun {
  facts: PreflightFacts;
  findings: Finding[];
  plans: FixPlan[];
  fixes: FixResult[];
}

export async function runPreflight(req: PreflightRequest, o: GatherOptions & { fix?: (plans: FixPlan[]) => FixPlan[]; directoryWriter?: DirectoryWriter }): Promise<PreflightRun> {
  const cancelled = () => new UserError('cancelled', 'The pre-flight was cancelled; nothing was changed.');
  let facts = await gatherFacts(req, o);
  if (o.signal?.aborted) throw cancelled();
  o.onProgress?.(`Judging ${RULES.length} rules`);
  let findings = evaluateAll(facts);
  const plans = planFixes(facts, findings);
  const chosen = o.fix ? o.fix(plans) : [];
  const fixes: FixResult[] = [];
  if (chosen.length) {
    for (const [i, p] of chosen.entries()) {
      // Between fixes, not within one: a fix half applied would be worse than either state.
      if (o.signal?.aborted) break;
      o.onProgress?.(`Fix ${i + 1} of ${chosen.length}: ${p.summary}`);
      fixes.push(await applyPlan(p, req, o.pool, o.directoryWriter, o.signal));
    }
    if (o.signal?.aborted) throw new UserError('cancelled', `The pre-flight was cancelled after ${fixes.length} of ${chosen.length} fixes (each applied or undone whole); run it again to see where things stand.`);
    o.onProgress?.('Checking again after the fixes');
    facts = await gatherFacts(req, o);
    findings = evaluateAll(facts);
    for (const r of fixes) {
      const again = findings.filter((x) => x.ruleId === r.plan.ruleId && (!r.plan.host || x.host === r.plan.host));
      r.recheck = again.length ? (again.some((x) => x.outcome === 'failure') ? 'failure' : again.some((x) => x.outcome === 'error') ? 'error' : again.some((x) => x.outcome === 'warning') ? 'warning' : 'pass') : null;
    }
  }
  return { facts, findings, plans, fixes };
}
