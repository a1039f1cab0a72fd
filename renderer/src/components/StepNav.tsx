import { STEPS, STEP_TITLES, type StepId } from '../../../shared/wizard.ts';
import { selectStepAvailability } from '../store/selectors.ts';
import { useAppStore } from './store-context.tsx';
import { messages } from '../messages.ts';

export function StepNav() {
  // The whole state, then derive: a selector that built new objects would re-render forever.
  const state = useAppStore((s) => s);
  const current = state.currentStep;
  const availability = STEPS.map((step) => [step, selectStepAvailability(state, step)] as const);
  return (
    <nav className="steps" aria-label="Wizard steps">
      <ol>
        {availability.map(([step, a], i) => (
          <li key={step} data-step={step} data-state={a.state} aria-current={step === current ? 'step' : undefined}>
            <button type="button" onClick={() => state.goTo(step as StepId)} disabled={a.state !== 'open'}
              title={a.state === 'locked' ? a.reason : a.state === 'not-built' ? messages.notBuilt : undefined}>
              <span className="num">{i + 1}</span>
              <span className="title">{STEP_TITLES[step]}</span>
              <span className="state">{a.state === 'open' ? messages.stepOpen : a.state === 'locked' ? messages.stepLocked : messages.stepNotBuilt}</span>
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
