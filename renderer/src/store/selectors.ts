/** Derived state: computed from the store's data on every read, never stored. */
import { stepAvailability, type StepAvailability, type StepId, type WizardFacts } from '../../../shared/wizard.ts';
import type { Store } from './index.ts';
import { checkSelection } from './selection.ts';

export function selectWizardFacts(s: Store): WizardFacts {
  return {
    builtSteps: s.info?.builtSteps ?? [],
    serversChosen: checkSelection(s.topology, s.source, s.targets).complete,
    preflightClear: false,
    optionsValid: false,
  };
}

export function selectStepAvailability(s: Store, step: StepId): StepAvailability {
  return stepAvailability(step, selectWizardFacts(s));
}
