/**
 * Step 2: how to reach the servers, the last run, the fixes the user chose, and whether
 * the remaining warnings were accepted. Whether step 3 opens is derived from the run.
 */
import type { StateCreator } from 'zustand';
import type { Backend } from '../../../shared/contract.ts';
import type { HostKeyPin, HostTarget, SshAuth } from '../../../shared/hosts.ts';
import type { PreflightRunResult, ReportFormat } from '../../../shared/preflight.ts';
import type { CoveredHost } from '../../../shared/wizard.ts';
import { BackendError } from '../backend/backend-error.ts';
import type { Store } from './index.ts';

export interface PreflightSlice {
  /**
   * How Failguard signs in to the servers: a key file (with its passphrase, if it has one), the
   * SSH agent, or a password. `secret` is the passphrase or password as typed: it lives in memory
   * only, is sent with the requests that need it, and is kept encrypted once the job is protected.
   */
  ssh: { user: string; method: SshMethod; keyFile: string; secret: string; witness: string; addresses: Record<string, string> };
  pins: HostKeyPin[];
  preflight: { running: boolean; operationId: string | null; stage: string; error: string | null; result: PreflightRunResult | null };
  /** Ids of the plans the user ticked: consent names exactly these. */
  chosenFixes: string[];
  reviewingFixes: boolean;
  warningsAccepted: boolean;
  /** The rule whose page is open (from a finding's link). */
  ruleShown: string | null;
  showRule(id: string | null): void;
  setSsh(patch: Partial<PreflightSlice['ssh']>): void;
  setAddress(server: string, address: string): void;
  runPreflight(consent?: string[]): Promise<void>;
  cancelPreflight(): Promise<void>;
  trustHostKeys(): Promise<void>;
  toggleFix(planId: string): void;
  reviewFixes(open: boolean): void;
  applyChosenFixes(): Promise<void>;
  acceptWarnings(accepted: boolean): void;
  exportReport(format: ReportFormat): Promise<{ fileName: string; mimeType: string; content: string; encoding: 'utf8' | 'base64' } | null>;
}

export type SshMethod = 'key' | 'agent' | 'password';

/** How a host is signed in to, from step 2's fields. */
export function sshAuthOf(ssh: PreflightSlice['ssh']): SshAuth {
  if (ssh.method === 'password') return { kind: 'password', password: ssh.secret };
  if (ssh.method === 'agent') return { kind: 'agent' };
  return { kind: 'key', keyFile: ssh.keyFile.trim(), ...(ssh.secret ? { passphrase: ssh.secret } : {}) };
}

/** What is missing from step 2's sign-in fields, in a sentence; null when nothing is. */
export function sshProblem(s: Pick<Store, 'ssh' | 'reopened'>): string | null {
  if (s.ssh.method === 'key' && !s.ssh.keyFile.trim()) return 'Give the path of the SSH private key on this computer, or choose to sign in with your SSH agent.';
  if (s.ssh.method === 'password' && !s.ssh.secret && !s.reopened?.sshSecretKept) return 'Type the SSH password of the servers\' account.';
  return null;
}

/** The host the wizard would check under each role now; the same list decides whether the last run still covers the selection. */
export function selectionHosts(s: Store): CoveredHost[] {
  const t = s.topology;
  if (!t || !s.source) return [];
  const addressOf = (name: string) => s.ssh.addresses[name] || t.servers.find((x) => x.name === name)?.fqdn || name;
  return [
    { role: 'source', name: s.source, address: addressOf(s.source) },
    ...s.targets.map((n) => ({ role: 'target' as const, name: n, address: addressOf(n) })),
    ...(s.ssh.witness.trim() ? [{ role: 'witness' as const, name: 'witness', address: s.ssh.witness.trim() }] : []),
  ];
}

/** The directory as step 1 signed in to it (address, account, trusted certificates), for every call that reads or writes it. */
export function directoryOf(s: Store) {
  const f = s.form;
  return {
    target: f.mode === 'domain' ? { kind: 'domain' as const, domain: f.domain.trim(), ...(f.dnsServer.trim() ? { dnsServer: f.dnsServer.trim() } : {}) } : { kind: 'url' as const, url: f.url.trim(), ...(f.dnsServer.trim() ? { dnsServer: f.dnsServer.trim() } : {}) },
    // A reopened job's kept password is used by the back end when none is typed.
    credentials: { username: f.username, password: f.password, ...(!f.password && s.reopened?.passwordKept ? { savedFor: s.reopened.jobId } : {}) },
    trust: { ...(s.caPem ? { caPem: s.caPem } : {}), pinned: s.pinned },
  };
}

export const createPreflightSlice = (backend: Backend): StateCreator<Store, [], [], PreflightSlice> => (set, get) => {
  const hostFor = (name: string, address: string): HostTarget => ({
    name, address, port: 22, user: get().ssh.user || 'root', auth: sshAuthOf(get().ssh),
  });
  return {
    ssh: { user: 'root', method: 'key', keyFile: '', secret: '', witness: '', addresses: {} },
    pins: [],
    preflight: { running: false, operationId: null, stage: '', error: null, result: null },
    chosenFixes: [],
    reviewingFixes: false,
    warningsAccepted: false,
    ruleShown: null,
    showRule(id) { set({ ruleShown: id }); },
    setSsh(patch) { set({ ssh: { ...get().ssh, ...patch } }); },
    setAddress(server, address) { set({ ssh: { ...get().ssh, addresses: { ...get().ssh.addresses, [server]: address } } }); },
    async runPreflight(consent = []) {
      const s = get();
      const hosts = selectionHosts(s);
      if (!hosts.length) return;
      const problem = sshProblem(s);
      if (problem) { set({ preflight: { ...s.preflight, error: problem } }); return; }
      const host = (role: CoveredHost['role']) => hosts.filter((h) => h.role === role).map((h) => hostFor(h.name, h.address));
      const operationId = `preflight-${Date.now().toString(36)}`;
      set({ preflight: { ...s.preflight, running: true, operationId, stage: 'Starting', error: null }, reviewingFixes: false });
      const off = backend.on('operation.progress', (p) => { if (p.operationId === operationId && !p.finished) set({ preflight: { ...get().preflight, stage: p.stage } }); });
      try {
        const result = await backend.call('preflight.run', {
          operationId,
          source: host('source')[0]!,
          targets: host('target'),
          ...(host('witness').length ? { witness: host('witness')[0]! } : {}),
          directory: directoryOf(s),
          pins: s.pins,
          consent,
          // A reopened job's kept passphrase or password is filled in by the back end when none is typed.
          ...(!s.ssh.secret && s.reopened?.sshSecretKept ? { sshSecretFor: s.reopened.jobId } : {}),
        });
        const pins = [...get().pins];
        for (const k of result.hostKeys) if (!pins.some((p) => p.host === k.address && p.port === k.port)) pins.push({ host: k.address, port: k.port, algorithm: 'ssh', fingerprint: k.fingerprint });
        set({ pins, preflight: { running: false, operationId: null, stage: '', error: null, result }, chosenFixes: [], warningsAccepted: false });
      } catch (e) {
        set({ preflight: { ...get().preflight, running: false, operationId: null, error: e instanceof BackendError ? e.message : String(e) } });
      } finally {
        off();
      }
    },
    async cancelPreflight() {
      const id = get().preflight.operationId;
      if (id) await backend.call('operation.cancel', { operationId: id });
    },
    async trustHostKeys() {
      const unknown = get().preflight.result?.unknownHostKeys ?? [];
      set({ pins: [...get().pins, ...unknown.map((k) => ({ host: k.address, port: 22, algorithm: 'ssh', fingerprint: k.fingerprint }))] });
      await get().runPreflight();
    },
    toggleFix(planId) {
      const chosen = get().chosenFixes;
      set({ chosenFixes: chosen.includes(planId) ? chosen.filter((k) => k !== planId) : [...chosen, planId] });
    },
    reviewFixes(open) { set({ reviewingFixes: open }); },
    async applyChosenFixes() {
      const offered = new Set((get().preflight.result?.plans ?? []).map((p) => p.id));
      await get().runPreflight(get().chosenFixes.filter((id) => offered.has(id)));
    },
    acceptWarnings(accepted) { set({ warningsAccepted: accepted }); },
    async exportReport(format) {
      const result = get().preflight.result;
      if (!result) return null;
      const accepted = get().warningsAccepted ? result.report.findings.filter((f) => f.outcome === 'warning').map((f) => ({ ruleId: f.ruleId, ...(f.host ? { host: f.host } : {}), by: get().form.username, at: new Date().toISOString() })) : [];
      return backend.call('preflight.report', { report: { ...result.report, acceptedWarnings: accepted }, format });
    },
  };
};
