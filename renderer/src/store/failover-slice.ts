/**
 * The dashboard's failover actions: a failover, planned switchover, failback or rehearsal of
 * the job shown. Its plan is fetched first (nothing changes), the person types the standby's
 * name to confirm, then it runs with each step's state live. Only the plan reviewed (by id) runs.
 */
import type { StateCreator } from 'zustand';
import type { Backend } from '../../../shared/contract.ts';
import type { PlanRunResult } from '../../../shared/plan.ts';
import type { FailoverAction } from '../../../shared/protect.ts';
import { planOperation, type PlanOperationState } from './plan-operation.ts';
import type { Store } from './index.ts';
import { directoryOf } from './preflight-slice.ts';
import type { PointRow } from '../../../shared/point-choice.ts';

export interface FailoverSlice {
  failover: PlanOperationState & {
    action: FailoverAction | null;
    target: string | null;
    results: PlanRunResult[] | null;
    typed: string;
    /** Secrets of the TSIG keys the plan's DNS updates are signed with, typed for this run only. */
    dnsSecrets: Record<string, string>;
    /** The points the standby holds (oldest first), for a point in time; null until read, or for a failback. */
    points: PointRow[] | null;
    /** The point chosen (null: the newest, the default). */
    point: string | null;
    /** The last clean point the standby's tripwire names (the suggested one after it fired). */
    lastClean: string | null;
    /** What the plan's preview says besides its steps (a failback: what travels back, and how long it takes). */
    notes: string[];
  };
  openFailover(action: FailoverAction, target: string): Promise<void>;
  typeFailoverConfirmation(text: string): void;
  setDnsSecret(key: string, secret: string): void;
  applyFailover(): Promise<void>;
  /** Another point to bring up (null: the newest): the plan is made again for it. */
  chooseFailoverPoint(point: string | null): Promise<void>;
  closeFailover(): void;
}

/** The TSIG keys the plan's DNS updates are signed with (each needs its secret before the plan can run). */
export const keysOf = (s: Store): string[] => [...new Set((s.failover.plan?.steps ?? []).flatMap((st) => (st.kind === 'dns-record' && st.server ? [st.server.key] : [])))];

/** Whether what the person typed confirms the action (the standby's name, as shown) and every key's secret is given. */
export const confirmed = (s: Store) => !!s.failover.target && s.failover.typed.trim().toLowerCase() === s.failover.target.toLowerCase() && keysOf(s).every((k) => !!s.failover.dnsSecrets[k]);

const closed = (): FailoverSlice['failover'] => ({ action: null, target: null, busy: null, operationId: null, stage: '', error: null, plan: null, steps: {}, results: null, typed: '', dnsSecrets: {}, points: null, point: null, lastClean: null, notes: [] });

/** The actions that can bring up a point in time (a failback brings back what the standby serves). */
export const takesPoint = (a: FailoverAction | null) => a === 'failover' || a === 'switchover' || a === 'rehearsal';

export const createFailoverSlice = (backend: Backend): StateCreator<Store, [], [], FailoverSlice> => (set, get) => {
  const request = (s: Store) => ({
    jobId: s.activeJobId!, action: s.failover.action!, target: s.failover.target!,
    // A rehearsal and a release touch no directory; the others need the account step 1 signed in with.
    ...(s.failover.action !== 'rehearsal' && s.failover.action !== 'release' && s.form.password ? { directory: directoryOf(s) } : {}),
    ...(Object.keys(s.failover.dnsSecrets).length ? { dnsSecrets: s.failover.dnsSecrets } : {}),
    ...(s.failover.point && takesPoint(s.failover.action) ? { point: s.failover.point } : {}),
  });
  const run = <T,>(busy: 'planning' | 'applying', call: (operationId: string) => Promise<T>) =>
    planOperation(backend, () => get().failover, (failover) => set({ failover }), busy, call);
  return {
    failover: closed(),
    async openFailover(action, target) {
      if (!get().activeJobId) return;
      set({ failover: { ...closed(), action, target } });
      // The points it holds, read beside the plan: the dialog offers them once they are here (never in the plan's way).
      if (takesPoint(action)) {
        void backend.call('jobs.points', { jobId: get().activeJobId! }).then((all) => {
          const f = get().failover;
          const mine = all.find((p) => p.host === target);
          // The tripwire's last clean point is suggested while it has fired, and after, as long as it is still held.
          const clean = mine?.tripwire?.lastClean ?? null;
          const suggested = clean && (mine?.tripwire?.state === 'fired' || mine?.rows?.some((r) => r.point === clean && r.held)) ? clean : null;
          // Points that cannot be read leave only the newest to choose (the plan says which that is).
          if (f.action === action && f.target === target) set({ failover: { ...f, points: mine?.rows ?? [], lastClean: suggested } });
        }, () => { const f = get().failover; if (f.action === action && f.target === target) set({ failover: { ...f, points: [] } }); });
      }
      const r = await run('planning', (operationId) => backend.call('failover.plan', { operationId, ...request(get()) }));
      if (r) set({ failover: { ...get().failover, plan: r.plan, notes: r.notes ?? [] } });
    },
    async chooseFailoverPoint(point) {
      const f = get().failover;
      if (f.busy || f.results || !takesPoint(f.action)) return;
      // A new plan: what was typed confirmed the old one.
      set({ failover: { ...f, point, plan: null, typed: '' } });
      const r = await run('planning', (operationId) => backend.call('failover.plan', { operationId, ...request(get()) }));
      if (r) set({ failover: { ...get().failover, plan: r.plan } });
    },
    setDnsSecret(key, secret) {
      set({ failover: { ...get().failover, dnsSecrets: { ...get().failover.dnsSecrets, [key]: secret.trim() } } });
    },
    typeFailoverConfirmation(text) {
      set({ failover: { ...get().failover, typed: text } });
    },
    async applyFailover() {
      const s = get();
      if (!s.failover.plan || !confirmed(s) || s.failover.busy) return;
      set({ failover: { ...s.failover, steps: {}, results: null } });
      const r = await run('applying', (operationId) => backend.call('failover.apply', { operationId, ...request(get()), consent: s.failover.plan!.id }));
      if (r) set({ failover: { ...get().failover, results: r.results, plan: r.plan } });
      await get().refreshLive();
    },
    closeFailover() {
      if (!get().failover.busy) set({ failover: closed() });
    },
  };
};
