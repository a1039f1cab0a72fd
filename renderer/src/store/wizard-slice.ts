/** Which step the user is looking at. Whether a step may be opened is derived (see selectors). */
import type { StateCreator } from 'zustand';
import type { StepId } from '../../../shared/wizard.ts';
import type { Store } from './index.ts';
import { selectStepAvailability } from './selectors.ts';

export interface WizardSlice {
  currentStep: StepId;
  goTo(step: StepId): void;
  /** At start: a job saved on this computer opens on its dashboard (step 4). */
  openSavedJob(): Promise<void>;
}

export const createWizardSlice: StateCreator<Store, [], [], WizardSlice> = (set, get) => ({
  currentStep: 'servers',
  goTo(step) {
    if (selectStepAvailability(get(), step).state === 'open') set({ currentStep: step });
  },
  async openSavedJob() {
    await get().loadJobs();
    if (get().activeJobId && get().currentStep === 'servers') get().goTo('protect');
  },
});
