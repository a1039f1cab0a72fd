/** What the back end told us about itself, and whether we could reach it. */
import type { StateCreator } from 'zustand';
import type { AppInfo } from '../../../shared/app.ts';
import type { Backend } from '../../../shared/contract.ts';
import type { Store } from './index.ts';

export interface AppSlice {
  info: AppInfo | null;
  backendError: string | null;
  loadInfo(): Promise<void>;
}

export const createAppSlice = (backend: Backend): StateCreator<Store, [], [], AppSlice> => (set) => ({
  info: null,
  backendError: null,
  async loadInfo() {
    try {
      set({ info: await backend.call('app.info', {}), backendError: null });
    } catch (e) {
      set({ backendError: e instanceof Error ? e.message : String(e) });
    }
  },
});
