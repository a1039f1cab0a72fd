/**
 * Step 4: the job built from steps 1–3, its provisioning plan (shown before anything runs),
 * the run with the state of each step, then the saved jobs and the live view of the one
 * shown, with a short RPO history for the chart.
 */
import type { StateCreator } from 'zustand';
import type { Backend } from '../../../shared/contract.ts';
import type { PlanRunResult } from '../../../shared/plan.ts';
import type { JobInput, SavedJob } from '../../../shared/protect.ts';
import type { ReplicationView } from '../../../shared/replication.ts';
import type { JobChange } from '../../../shared/job-diff.ts';
import { messageOf, planOperation, type PlanOperationState } from './plan-operation.ts';
import type { Store } from './index.ts';
import { checkDraft, draftOf, jobNameOf } from './options-slice.ts';
import { checkFailover } from './failover-options.ts';
import { directoryOf } from './preflight-slice.ts';
import { checkAlerts } from './alert-options.ts';
import { checkHealth } from './health-options.ts';

/** How many seconds of RPO the chart keeps. */
export const HISTORY_SECONDS = 300;

export interface ProtectSlice {
  jobId: string;
  protect: PlanOperationState & { results: PlanRunResult[] | null; changes: JobChange[] | null };
  jobs: SavedJob[];
  activeJobId: string | null;
  live: { view: ReplicationView | null; error: string | null; history: Record<string, Array<[number, number]>> };
  planProtection(): Promise<void>;
  applyProtection(): Promise<void>;
  cancelProtection(): Promise<void>;
  loadJobs(): Promise<void>;
  /** Tells the back end a saved job was opened (the start page lists the last one first); never fails the UI. */
  noteOpened(jobId: string): Promise<void>;
  /** Each saved job's live state, for the start page (read once, in parallel). */
  summaries: Record<string, { view: ReplicationView | null; error: string | null }>;
  loadSummaries(): Promise<void>;
  refreshLive(): Promise<void>;
}

/** The job the wizard would save now, from the servers, the pre-flight's resolved addresses and pins, and the options. */
export function buildJob(s: Store): JobInput | null {
  const r = s.preflight.result;
  if (!s.source || !r) return null;
  const ip = (name: string) => r.hostKeys.find((k) => k.host === name)?.address ?? r.covered.find((c) => c.name === name)?.address ?? name;
  const host = (name: string) => ({ name, address: ip(name), sshUser: s.ssh.user || 'root', sshAuth: s.ssh.method, ...(s.ssh.method === 'key' ? { sshKeyFile: s.ssh.keyFile.trim() } : {}) });
  const targets = s.targets.map((t) => {
    const c = checkDraft(draftOf(s, t));
    return { ...host(t), ...(c.ok ? { options: c.options } : {}) };
  });
  const witness = r.covered.find((c) => c.role === 'witness');
  const failover = checkFailover(s.failoverDraft);
  const dir = directoryOf(s);
  const alerts = checkAlerts(s.alertDrafts);
  const health = checkHealth(s.healthDraft);
  return {
    version: 1, id: s.jobId, name: jobNameOf(s), source: host(s.source), targets,
    ...(witness ? { witness: host(witness.name) } : {}),
    ...(s.form.username.trim() ? { directory: { target: dir.target, username: s.form.username.trim(), ...(s.caPem ? { caPem: s.caPem } : {}), pinned: s.pinned } } : {}),
    ...(failover.ok ? { failover: failover.failover } : {}),
    ...(alerts.ok ? { alerts: alerts.alerts } : {}),
    ...(health.ok ? { health: health.health, metrics: health.metrics, rehearsals: health.rehearsals } : {}),
    hostKeys: s.pins.map((p) => ({ host: p.host, port: p.port, algorithm: p.algorithm, fingerprint: p.fingerprint })),
  };
}

/** What provisioning needs besides the job: the directory account as step 1 signed in (or the one kept for a reopened job), and the secrets typed in step 3. */
function secretsOf(s: Store) {
  const d = directoryOf(s);
  return {
    ...(d.credentials.username && (d.credentials.password || d.credentials.savedFor) ? { directory: d } : {}),
    ...(Object.keys(s.alertSecrets).length ? { alertSecrets: s.alertSecrets } : {}),
    ...(Object.keys(s.tsigSecrets).length ? { dnsSecrets: s.tsigSecrets } : {}),
    // Typed in step 2; absent, the back end uses the one kept for a reopened job.
    ...(s.ssh.secret ? { sshSecret: s.ssh.secret } : {}),
  };
}

const idle = (): ProtectSlice['protect'] => ({ busy: null, operationId: null, stage: '', error: null, plan: null, steps: {}, results: null, changes: null });

export const createProtectSlice = (backend: Backend): StateCreator<Store, [], [], ProtectSlice> => (set, get) => {
  /** Runs a call as an operation: its stages and step states land in the slice. */
  const operation = <T,>(busy: 'planning' | 'applying', call: (operationId: string) => Promise<T>) =>
    planOperation(backend, () => get().protect, (protect) => set({ protect }), busy, call, busy === 'applying' ? { steps: {}, results: null } : { plan: null });
  return {
    jobId: globalThis.crypto.randomUUID(),
    protect: idle(),
    jobs: [],
    activeJobId: null,
    live: { view: null, error: null, history: {} },
    summaries: {},
    async loadSummaries() {
      await Promise.all(get().jobs.map(async ({ job }) => {
        let one: { view: ReplicationView | null; error: string | null };
        try {
          one = { view: await backend.call('jobs.status', { jobId: job.id }), error: null };
        } catch (e) {
          one = { view: null, error: messageOf(e) };
        }
        set({ summaries: { ...get().summaries, [job.id]: one } });
      }));
    },
    async planProtection() {
      const job = buildJob(get());
      if (!job) return;
      const r = await operation('planning', (operationId) => backend.call('protect.plan', { operationId, job, ...secretsOf(get()) }));
      if (r) set({ protect: { ...get().protect, plan: r.plan, changes: r.changes } });
    },
    async applyProtection() {
      const job = buildJob(get());
      const plan = get().protect.plan;
      if (!job || !plan) return;
      const r = await operation('applying', (operationId) => backend.call('protect.apply', { operationId, job, consent: plan.id, ...secretsOf(get()) }));
      if (!r) return;
      set({ protect: { ...get().protect, results: r.results, plan: r.plan } });
      if (r.results.every((x) => x.outcome === 'applied')) {
        await get().loadJobs();
        set({ activeJobId: r.job.id });
        await get().refreshLive();
      }
    },
    async cancelProtection() {
      const id = get().protect.operationId;
      if (id) await backend.call('operation.cancel', { operationId: id });
    },
    async noteOpened(jobId) {
      await backend.call('jobs.opened', { jobId }).catch(() => undefined);
    },
    async loadJobs() {
      try {
        const jobs = await backend.call('jobs.list', {});
        set({ jobs });
      } catch (e) {
        set({ live: { ...get().live, error: messageOf(e) } });
      }
    },
    async refreshLive() {
      const jobId = get().activeJobId;
      if (!jobId) return;
      try {
        const view = await backend.call('jobs.status', { jobId });
        const history = { ...get().live.history };
        for (const t of view.targets) {
          if (t.rpoSeconds === null) continue;
          const kept = (history[t.target] ?? []).filter(([at]) => at > view.at / 1000 - HISTORY_SECONDS);
          history[t.target] = [...kept, [view.at / 1000, t.rpoSeconds]];
        }
        set({ live: { view, error: null, history } });
      } catch (e) {
        set({ live: { ...get().live, error: messageOf(e) } });
      }
    },
  };
};
