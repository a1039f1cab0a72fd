/**
 * Where the person is: the start page, or a journey through the wizard (a new protection,
 * a saved job reopened to reconfigure, or a pre-flight audit only) and which step they look
 * at. Whether a step may be opened is derived (see selectors), never stored.
 */
import type { StateCreator } from 'zustand';
import type { StepId } from '../../../shared/wizard.ts';
import type { Store } from './index.ts';
import { selectStepAvailability } from './selectors.ts';
import { wizardStateOf } from './reopen.ts';
import { defaultFailoverDraft } from './failover-options.ts';
import { defaultHealthDraft } from './health-options.ts';

export type Journey = 'start' | 'protect' | 'audit';

export interface WizardSlice {
  journey: Journey;
  currentStep: StepId;
  /** A saved job being reconfigured: its servers are chosen again after discovery. */
  /** The saved job being reconfigured, and which of its secrets are kept on this computer (so none need typing). */
  reopened: { jobId: string; source: string; targets: string[]; passwordKept: boolean; sshSecretKept: boolean } | null;
  goTo(step: StepId): void;
  /** At start: the saved jobs, for the start page. */
  openSavedJob(): Promise<void>;
  startNew(journey: 'protect' | 'audit'): void;
  /** A saved job's dashboard (step 4). */
  showJob(jobId: string): Promise<void>;
  /** A saved job back in the wizard, from step 1, to change it; discovery runs at once when its password is kept. */
  reconfigure(jobId: string): Promise<void>;
  backToStart(): void;
}

/** Everything a journey fills in, as on a first start (connection settings, results, choices, drafts). */
const fresh = (): Partial<Store> => ({
  reopened: null, jobId: globalThis.crypto.randomUUID(), activeJobId: null,
  form: { mode: 'domain', domain: '', dnsServer: '', url: '', username: '', password: '' }, caPem: null, caName: null, pinned: [],
  topology: null, source: null, targets: [],
  ssh: { user: 'root', method: 'key', keyFile: '', secret: '', witness: '', addresses: {} }, pins: [],
  preflight: { running: false, operationId: null, stage: '', error: null, result: null }, chosenFixes: [], reviewingFixes: false, warningsAccepted: false, ruleShown: null,
  jobName: '', drafts: {}, failoverDraft: defaultFailoverDraft(), tsigSecrets: {}, alertDrafts: [], alertSecrets: {}, healthDraft: defaultHealthDraft(),
  protect: { busy: null, operationId: null, stage: '', error: null, plan: null, steps: {}, results: null, changes: null },
});

export const createWizardSlice: StateCreator<Store, [], [], WizardSlice> = (set, get) => ({
  journey: 'start',
  currentStep: 'servers',
  reopened: null,
  goTo(step) {
    if (selectStepAvailability(get(), step).state === 'open') set({ currentStep: step });
  },
  async openSavedJob() {
    await get().loadJobs();
  },
  startNew(journey) {
    set({ ...fresh(), journey, currentStep: 'servers' });
  },
  async showJob(jobId) {
    void get().noteOpened(jobId);
    set({ journey: 'protect', activeJobId: jobId, protect: { ...get().protect, plan: null, results: null, changes: null } });
    set({ currentStep: 'protect' });
    await get().refreshLive();
  },
  async reconfigure(jobId) {
    const saved = get().jobs.find((j) => j.job.id === jobId);
    if (!saved) return;
    void get().noteOpened(jobId);
    set({ ...fresh(), ...wizardStateOf(saved.job, { directory: saved.kept?.directory ?? false, ssh: saved.kept?.ssh ?? false }), journey: 'protect', currentStep: 'servers' });
    if (get().reopened?.passwordKept) await get().connect();
  },
  backToStart() {
    set({ journey: 'start' });
    void get().loadJobs();
  },
});
