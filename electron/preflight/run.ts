/**
 * Running pre-flight: gather, judge every rule, and (on consent) fix: the consented plans
 * run on the plan engine (journaled; a failed step undoes the steps before it); then the
 * facts are gathered again and the rule must pass to count as fixed.
 */
import { foldOutcomes, type Finding, type FixResult, type PreflightRequest, type RuleInfo } from '../../shared/preflight.ts';
import type { FixPlan } from '../../shared/plan.ts';
import { stepHost } from '../../shared/plan.ts';
import { UserError } from '../../shared/errors.ts';
import { RULES } from './rules/index.ts';
import { ruleInfo, type Rule } from './rule.ts';
import { gatherFacts, type GatherOptions } from './gather.ts';
import type { PreflightFacts } from './facts.ts';
import type { PlanContext } from '../plans/executors.ts';
import { Journal, preflightOrigin } from '../plans/journal.ts';
import { runPlans } from '../plans/engine.ts';

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

/** Which of the freshly made plans run, and which consented ones are refused (with why). */
export type ConsentDecision = (fresh: FixPlan[]) => { run: FixPlan[]; refused: FixResult[] };

export interface FixRuntime { ctx: PlanContext; journalDir: string }

export async function runPreflight(req: PreflightRequest, o: GatherOptions & { consent?: ConsentDecision; fixes?: FixRuntime }): Promise<PreflightRun> {
  let facts = await gatherFacts(req, o);
  if (o.signal?.aborted) throw new UserError('cancelled', 'The pre-flight was cancelled; nothing was changed.');
  o.onProgress?.(`Judging ${RULES.length} rules`);
  let findings = evaluateAll(facts);
  const plans = planFixes(facts, findings);
  const chosen = o.consent ? o.consent(plans) : { run: [], refused: [] };
  const fixes: FixResult[] = [...chosen.refused];
  if (chosen.run.length) {
    if (!o.fixes) throw new UserError('bad-input', 'Fixes need the connections of this run; nothing was changed.');
    const journal = Journal.create(o.fixes.journalDir, chosen.run, [...new Set(chosen.run.flatMap((p) => p.steps.map(stepHost)))], preflightOrigin([req.source.name, ...req.targets.map((t) => t.name), ...(req.witness ? [req.witness.name] : [])]));
    const results = await runPlans(chosen.run, o.fixes.ctx, journal, { ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
    const applied = results.map((r, i) => ({ ...r, plan: chosen.run[i]!, recheck: null as FixResult['recheck'] }));
    fixes.push(...applied);
    if (o.signal?.aborted) throw new UserError('cancelled', `The pre-flight was cancelled after ${results.filter((r) => r.outcome !== 'cancelled').length} of ${chosen.run.length} fixes (each applied or undone whole); run it again to see where things stand.`);
    o.onProgress?.('Checking again after the fixes');
    facts = await gatherFacts(req, o);
    findings = evaluateAll(facts);
    for (const r of applied) {
      const again = findings.filter((x) => x.ruleId === r.plan.ruleId && (!r.plan.host || x.host === r.plan.host));
      r.recheck = again.length ? foldOutcomes(again).worst : null;
    }
  }
  return { facts, findings, plans, fixes };
}
