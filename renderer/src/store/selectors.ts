/** Derived state: computed from the store's data on every read, never stored. */
import { coversSelection, stepAvailability, type StepAvailability, type StepId, type WizardFacts } from '../../../shared/wizard.ts';
import { foldOutcomes } from '../../../shared/preflight.ts';
import { selectionHosts } from './preflight-slice.ts';
import type { Store } from './index.ts';
import { checkSelection } from './selection.ts';
import { optionsValid } from './options-slice.ts';

export function selectWizardFacts(s: Store): WizardFacts {
  return {
    builtSteps: s.info?.builtSteps ?? [],
    serversChosen: checkSelection(s.topology, s.source, s.targets).complete,
    preflightClear: preflightClear(s),
    preflightStale: !!s.preflight.result && !coversSelection(s.preflight.result.covered, selectionHosts(s)),
    optionsValid: optionsValid(s),
    protectedJob: s.activeJobId !== null,
    auditOnly: s.journey === 'audit',
  };
}

export function selectStepAvailability(s: Store, step: StepId): StepAvailability {
  return stepAvailability(step, selectWizardFacts(s));
}

/** Step 3 opens when the last run covered exactly the current selection, has no failure and no unchecked rule, and any warnings were accepted. */
export function preflightClear(s: Store): boolean {
  const r = s.preflight.result;
  if (!r || s.preflight.running) return false;
  if (!coversSelection(r.covered, selectionHosts(s))) return false;
  const worst = foldOutcomes(r.report.findings).worst;
  if (worst === 'failure' || worst === 'error') return false;
  return worst !== 'warning' || s.warningsAccepted;
}
