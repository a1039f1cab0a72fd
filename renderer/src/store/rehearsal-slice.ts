/** The dashboard's kept rehearsal reports for the open job: the list, and one exported as HTML, PDF or JSON. */
import type { StateCreator } from 'zustand';
import type { Backend, ResponseOf } from '../../../shared/contract.ts';
import type { RehearsalSummary } from '../../../shared/rehearsal-report.ts';
import type { Store } from './index.ts';

export interface RehearsalSlice {
  rehearsals: { jobId: string | null; list: RehearsalSummary[]; error: string | null };
  loadRehearsals(): Promise<void>;
  exportRehearsal(name: string, format: 'html' | 'pdf' | 'json'): Promise<ResponseOf<'jobs.rehearsalReport'> | null>;
}

export const createRehearsalSlice = (backend: Backend): StateCreator<Store, [], [], RehearsalSlice> => (set, get) => ({
  rehearsals: { jobId: null, list: [], error: null },
  async loadRehearsals() {
    const jobId = get().activeJobId;
    if (!jobId) return;
    try {
      const list = await backend.call('jobs.rehearsals', { jobId });
      if (get().activeJobId === jobId) set({ rehearsals: { jobId, list, error: null } });
    } catch (e) {
      set({ rehearsals: { jobId, list: [], error: (e as Error).message } });
    }
  },
  async exportRehearsal(name, format) {
    const jobId = get().activeJobId;
    if (!jobId) return null;
    try {
      return await backend.call('jobs.rehearsalReport', { jobId, name, format });
    } catch (e) {
      set({ rehearsals: { ...get().rehearsals, error: (e as Error).message } });
      return null;
    }
  },
});
