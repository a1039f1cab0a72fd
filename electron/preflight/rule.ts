/**
 * The shape of a rule (meta + pure evaluate + optional fix) and the helpers that keep
 * each rule file to its judgement: unreachable hosts and failed probes become "error"
 * findings here, never a pass or a failure.
 */
import type { Evidence, Finding, HostRole, Outcome, RuleInfo, Severity } from '../../shared/preflight.ts';
import type { FixPlan, PlanStep } from '../../shared/plan.ts';
import { sealPlan } from '../plans/plan-id.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';
import type { Probed } from '../../shared/probe.ts';
import type { HostFacts, PreflightFacts } from './facts.ts';
import type { ExchangeServer, Topology } from '../../shared/topology.ts';
import { allHosts } from './facts.ts';

/** What a rule file declares; whether it can fix is known from its `fix`. */
export type RuleMeta = Omit<RuleInfo, 'fixable' | 'fixKind'>;

export interface RuleFix {
  kind: 'safe' | 'confirm';
  /** Null when this finding has no automatic fix (then the resolution text applies). */
  plan(f: PreflightFacts, finding: Finding): FixPlan | null;
}

export interface Rule {
  meta: RuleMeta;
  evaluate(f: PreflightFacts): Finding[];
  fix?: RuleFix;
}

export function ruleInfo(r: Rule): RuleInfo {
  return { ...r.meta, fixable: !!r.fix, fixKind: r.fix?.kind ?? 'manual' };
}

/** A probe's failure, carried up to become an "error" finding. */
export class ProbeFailed extends UserError {
  readonly source: string;
  constructor(message: string, source: string) {
    super('probe-failed', message);
    this.source = source;
  }
}

export function need<T>(p: Probed<T> | undefined, what: string): T {
  if (!p) throw new ProbeFailed(`${what} was not probed`, what);
  if (!p.ok) throw new ProbeFailed(`${what} could not be read (${p.error})`, p.command);
  return p.value;
}

export type Verdict =
  | { error: string }
  | { pass: true; message: string; evidence?: Evidence[] }
  | { pass: false; message: string; evidence?: Evidence[] }
  | { notApplicable: string };

export const ok = (message: string, evidence: Evidence[] = []): Verdict => ({ pass: true, message, evidence });
export const miss = (message: string, evidence: Evidence[] = []): Verdict => ({ pass: false, message, evidence });
export const na = (why: string): Verdict => ({ notApplicable: why });

function missOutcome(s: Severity): Outcome {
  return s === 'error' ? 'failure' : 'warning';
}

export function toFinding(meta: RuleMeta, v: Verdict, host?: string): Finding {
  const base = { ruleId: meta.id, ...(host ? { host } : {}) };
  if ('notApplicable' in v) return { ...base, outcome: 'not-applicable', message: v.notApplicable, evidence: [] };
  if ('error' in v) return { ...base, outcome: 'error', message: v.error, evidence: [] };
  return { ...base, outcome: v.pass ? 'pass' : missOutcome(meta.severity), message: v.message, evidence: v.evidence ?? [] };
}

function errorFinding(meta: RuleMeta, e: unknown, host?: string): Finding {
  const source = e instanceof ProbeFailed ? e.source : undefined;
  return { ruleId: meta.id, ...(host ? { host } : {}), outcome: 'error', message: `The check could not run: ${plainMessage(e).replace(/\.$/, '')}.`, evidence: source ? [{ label: 'probe', value: 'failed', source }] : [] };
}

function probeFailedFinding(meta: RuleMeta, h: HostFacts): Finding {
  return { ruleId: meta.id, host: h.name, outcome: 'error', message: `The probe of ${h.name} did not finish, so this was not checked.`, evidence: [{ label: 'probe', value: h.probeError ?? 'failed' }] };
}

/** A rule judged once per host of the given roles. */
export function hostRule(meta: RuleMeta, roles: readonly HostRole[], judge: (h: HostFacts, f: PreflightFacts) => Verdict, fix?: RuleFix): Rule {
  return {
    meta,
    fix,
    evaluate(f) {
      return allHosts(f).filter((h) => roles.includes(h.role)).map((h) => {
        if (!h.reach.ok && meta.category !== 'connectivity') return { ruleId: meta.id, host: h.name, outcome: 'error', message: `${h.name} could not be reached, so this was not checked.`, evidence: [{ label: 'connection', value: h.reach.error }] };
        if (h.probeError && meta.category !== 'connectivity') return probeFailedFinding(meta, h);
        try {
          return toFinding(meta, judge(h, f), h.name);
        } catch (e) {
          return errorFinding(meta, e, h.name);
        }
      });
    },
  };
}

/** A rule judged once for the whole set-up (directory, DNS, source-versus-target comparisons). */
export function globalRule(meta: RuleMeta, judge: (f: PreflightFacts) => Verdict | Array<Verdict & { host?: string }>, fix?: RuleFix): Rule {
  return {
    meta,
    fix,
    evaluate(f) {
      try {
        const v = judge(f);
        return (Array.isArray(v) ? v : [v]).map((x) => toFinding(meta, x, (x as { host?: string }).host));
      } catch (e) {
        return [errorFinding(meta, e)];
      }
    },
  };
}

export function hostOf(f: PreflightFacts, name: string | undefined): HostFacts | undefined {
  return allHosts(f).find((h) => h.name === name);
}

/** A fix's plan, sealed with its id; a failed step undoes the steps before it. */
export function plan(ruleId: string, kind: 'safe' | 'confirm', title: string, steps: PlanStep[], host?: string): FixPlan {
  return sealPlan({ ruleId, kind, title, onFailure: 'undo' as const, steps, ...(host ? { host } : {}) });
}

export { shq } from '../hosts/shell.ts';

/** Judges each target against the source; a pair with an unreachable host is an error, not a verdict. */
export function perTarget(f: PreflightFacts, judge: (t: HostFacts) => Verdict): Array<Verdict & { host: string }> {
  return f.targets.map((t) => {
    const down = [f.source, t].find((h) => !h.reach.ok);
    if (down) return { error: `${down.name} could not be reached, so this was not checked.`, host: t.name };
    const unprobed = [f.source, t].find((h) => h.probeError);
    if (unprobed) return { error: `The probe of ${unprobed.name} did not finish, so this was not checked.`, host: t.name };
    try {
      return { ...judge(t), host: t.name };
    } catch (e) {
      return { error: `The check could not run: ${plainMessage(e).replace(/\.$/, '')}.`, host: t.name };
    }
  });
}

/** A rule judged on the Exchange organisation; `server` finds a server by name, case-insensitively. */
export function directoryRule(meta: RuleMeta, judge: (d: { topology: Topology; server: (name: string) => ExchangeServer | undefined }, f: PreflightFacts) => Verdict | Array<Verdict & { host?: string }>): Rule {
  return globalRule(meta, (f) => {
    if (!f.directory) return na('No directory was given.');
    const topology = need(f.directory.topology, 'the Exchange organisation');
    return judge({ topology, server: (name) => topology.servers.find((s) => s.name.toLowerCase() === name.toLowerCase()) }, f);
  });
}

/** Each target's directory server compared with the source's; absent servers are not applicable here (other rules say so). */
export function perTargetServer(d: { server: (name: string) => ExchangeServer | undefined }, f: PreflightFacts, judge: (source: ExchangeServer, target: ExchangeServer) => Verdict): Array<Verdict & { host: string }> | Verdict {
  const s = d.server(f.source.name);
  if (!s) return na('The source is not in the organisation.');
  return f.targets.map((x) => {
    const t = d.server(x.name);
    return { ...(t ? judge(s, t) : na('The target is not in the organisation.')), host: x.name };
  });
}
