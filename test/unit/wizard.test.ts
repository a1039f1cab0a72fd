import { describe, expect, it } from 'vitest';
import { STEPS, stepAvailability, type WizardFacts } from '../../shared/wizard.ts';

const facts = (over: Partial<WizardFacts> = {}): WizardFacts => ({
  builtSteps: [...STEPS], serversChosen: false, preflightClear: false, optionsValid: false, ...over,
});

describe('step availability is derived from data', () => {
  it.each([
    ['servers', facts(), 'open'],
    ['preflight', facts(), 'locked'],
    ['preflight', facts({ serversChosen: true }), 'open'],
    ['options', facts({ serversChosen: true }), 'locked'],
    ['options', facts({ serversChosen: true, preflightClear: true }), 'open'],
    ['protect', facts({ serversChosen: true, preflightClear: true }), 'locked'],
    ['protect', facts({ serversChosen: true, preflightClear: true, optionsValid: true }), 'open'],
    ['servers', facts({ builtSteps: [] }), 'not-built'],
    ['preflight', facts({ builtSteps: ['servers'], serversChosen: true }), 'not-built'],
  ] as const)('%s with %j is %s', (step, f, state) => {
    expect(stepAvailability(step, f).state).toBe(state);
  });

  it('says why a locked step is locked', () => {
    const a = stepAvailability('preflight', facts());
    expect(a.state === 'locked' && a.reason.length > 10).toBe(true);
  });
});
