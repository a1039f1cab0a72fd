import { STEPS, STEP_TITLES, type StepId } from '../../../shared/wizard.ts';
import { selectStepAvailability } from '../store/selectors.ts';
import { useAppStore } from './store-context.tsx';
import { messages } from '../messages.ts';

export function StepNav() {
  const current = useAppStore((s) => s.currentStep);
  const goTo = useAppStore((s) => s.goTo);
  const availability = useAppStore((s) => STEPS.map((step) => [step, selectStepAvailability(s, step)] as const));
  return (
    <nav className="steps" aria-label="Wizard steps">
      <ol>
        {availability.map(([step, a], i) => (
          <li key={step} data-step={step} data-state={a.state} aria-current={step === current ? 'step' : undefined}>
            <button type="button" onClick={() => goTo(step as StepId)} disabled={a.state !== 'open'}
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
