/** Derived state: computed from the store's data on every read, never stored. */
import { stepAvailability, type StepAvailability, type StepId, type WizardFacts } from '../../../shared/wizard.ts';
import type { Store } from './index.ts';
import { checkSelection } from './selection.ts';

export function selectWizardFacts(s: Store): WizardFacts {
  return {
    builtSteps: s.info?.builtSteps ?? [],
    serversChosen: checkSelection(s.topology, s.source, s.targets).complete,
    preflightClear: preflightClear(s),
    optionsValid: false,
  };
}

export function selectStepAvailability(s: Store, step: StepId): StepAvailability {
  return stepAvailability(step, selectWizardFacts(s));
}

/** Step 3 opens when the last run has no failure and no unchecked rule, and any warnings were accepted. */
export function preflightClear(s: Store): boolean {
  const r = s.preflight.result;
  if (!r || s.preflight.running) return false;
  const outcomes = r.report.findings.map((f) => f.outcome);
  if (outcomes.includes('failure') || outcomes.includes('error')) return false;
  return !outcomes.includes('warning') || s.warningsAccepted;
}
