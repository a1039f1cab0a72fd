/** The one store, made of typed slices; the back end is given to it, never imported. */
import { create } from 'zustand';
import type { Backend } from '../../../shared/contract.ts';
import { createAppSlice, type AppSlice } from './app-slice.ts';
import { createWizardSlice, type WizardSlice } from './wizard-slice.ts';
import { createServersSlice, type ServersSlice } from './servers-slice.ts';
import { createPreflightSlice, type PreflightSlice } from './preflight-slice.ts';
import { createOptionsSlice, type OptionsSlice } from './options-slice.ts';
import { createFailoverOptionsSlice, type FailoverOptionsSlice } from './failover-options.ts';
import { createProtectSlice, type ProtectSlice } from './protect-slice.ts';
import { createFailoverSlice, type FailoverSlice } from './failover-slice.ts';
import { createAlertOptionsSlice, type AlertOptionsSlice } from './alert-options.ts';
import { createHealthOptionsSlice, type HealthOptionsSlice } from './health-options.ts';
import { createRehearsalSlice, type RehearsalSlice } from './rehearsal-slice.ts';

export type Store = AppSlice & WizardSlice & ServersSlice & PreflightSlice & OptionsSlice & FailoverOptionsSlice & AlertOptionsSlice & HealthOptionsSlice & ProtectSlice & FailoverSlice & RehearsalSlice;

export function createAppStore(backend: Backend) {
  return create<Store>()((...a) => ({
    ...createAppSlice(backend)(...a),
    ...createWizardSlice(...a),
    ...createServersSlice(backend)(...a),
    ...createPreflightSlice(backend)(...a),
    ...createOptionsSlice(...a),
    ...createFailoverOptionsSlice(...a),
    ...createAlertOptionsSlice(...a),
    ...createHealthOptionsSlice(...a),
    ...createProtectSlice(backend)(...a),
    ...createFailoverSlice(backend)(...a),
    ...createRehearsalSlice(backend)(...a),
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;
