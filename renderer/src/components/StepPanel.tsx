import { STEP_TITLES, assertNever, type StepId } from '../../../shared/wizard.ts';
import { selectStepAvailability } from '../store/selectors.ts';
import { useAppStore } from './store-context.tsx';
import { messages } from '../messages.ts';
import { ServersStep } from './ServersStep.tsx';
import { PreflightStep } from './PreflightStep.tsx';
import { OptionsStep } from './OptionsStep.tsx';
import { ProtectStep } from './ProtectStep.tsx';

/** The body of the current step; each step's feature replaces its "not available" panel when it lands. */
export function StepPanel() {
  const state = useAppStore((s) => s);
  const step = state.currentStep;
  const availability = selectStepAvailability(state, step);
  return (
    <section className="panel" data-testid={`step-${step}`} aria-labelledby="step-title">
      <h2 id="step-title">{STEP_TITLES[step]}</h2>
      <p className="step-purpose muted" data-testid="step-purpose">{messages.purpose[step]}</p>
      {availability.state === 'not-built' ? <p className="not-built" data-testid="not-built">{messages.notBuilt}</p> : <StepBody step={step} />}
    </section>
  );
}

function StepBody({ step }: { step: StepId }) {
  switch (step) {
    case 'servers':
      return <ServersStep />;
    case 'preflight':
      return <PreflightStep />;
    case 'options':
      return <OptionsStep />;
    case 'protect':
      return <ProtectStep />;
    default:
      return assertNever(step);
  }
}
