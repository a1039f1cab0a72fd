/**
 * The wizard's steps: a closed union. Whether a step can be opened is derived from the
 * data the user has produced so far, never stored as a flag of its own.
 */
export const STEPS = ['servers', 'preflight', 'options', 'protect'] as const;
export type StepId = (typeof STEPS)[number];

export const STEP_TITLES: Record<StepId, string> = {
  servers: 'Servers',
  preflight: 'Pre-flight',
  options: 'Options',
  protect: 'Protect',
};

/** The facts step availability depends on; each later issue adds the data it produces. */
export interface WizardFacts {
  builtSteps: readonly StepId[];
  /** A source and at least one target are chosen. */
  serversChosen: boolean;
  /** Pre-flight ran on exactly the current selection (source, every target, witness) and no failure remains (warnings accepted). */
  preflightClear: boolean;
  /** A pre-flight result exists, but for another selection than the current one. */
  preflightStale?: boolean;
  /** Options are complete and valid. */
  optionsValid: boolean;
  /** A job is saved on this computer: step 4 shows its dashboard. */
  protectedJob?: boolean;
  /** A pre-flight audit only: steps 3 and 4 are not part of this journey. */
  auditOnly?: boolean;
}

export type StepAvailability =
  | { state: 'open' }
  | { state: 'locked'; reason: string }
  | { state: 'not-built' };

const AUDIT_ONLY = 'This is a pre-flight audit only; start a new protection from the start page to go on.';

export function stepAvailability(step: StepId, f: WizardFacts): StepAvailability {
  if (!f.builtSteps.includes(step)) return { state: 'not-built' };
  switch (step) {
    case 'servers':
      return { state: 'open' };
    case 'preflight':
      return f.serversChosen ? { state: 'open' } : { state: 'locked', reason: 'Choose a source server and at least one target first.' };
    case 'options':
      if (f.auditOnly) return { state: 'locked', reason: AUDIT_ONLY };
      if (f.preflightClear) return { state: 'open' };
      return { state: 'locked', reason: f.preflightStale ? 'The servers changed since the last pre-flight; run it again.' : 'Pre-flight must pass first (warnings can be accepted).' };
    case 'protect':
      if (f.auditOnly) return { state: 'locked', reason: AUDIT_ONLY };
      if (f.protectedJob || (f.optionsValid && f.preflightClear)) return { state: 'open' };
      return { state: 'locked', reason: f.preflightClear ? 'Complete the options first.' : 'Pre-flight must pass first (warnings can be accepted).' };
    default:
      return assertNever(step);
  }
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${String(x)}`);
}

/** A host as a pre-flight covered it: its role, the name it was checked under and the address it was given. */
export interface CoveredHost { role: 'source' | 'target' | 'witness'; name: string; address: string }

/** True when a pre-flight covered exactly these hosts (in any order): a result for MAIL1 → MAIL2 does not count for MAIL1 → MAIL2 + MAIL3. */
export function coversSelection(covered: readonly CoveredHost[], selection: readonly CoveredHost[]): boolean {
  const key = (h: CoveredHost) => `${h.role}|${h.name.toLowerCase()}|${h.address.toLowerCase()}`;
  const a = new Set(covered.map(key));
  const b = new Set(selection.map(key));
  return a.size === b.size && [...a].every((k) => b.has(k));
}
