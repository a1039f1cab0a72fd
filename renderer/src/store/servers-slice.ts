/**
 * Step 1: where the directory is, who signs in, what was discovered and which servers
 * the user picked. The password lives only in memory for the call and is never persisted.
 */
import type { StateCreator } from 'zustand';
import type { Backend } from '../../../shared/contract.ts';
import type { CertificateInfo, DirectoryTarget, PinnedCertificate } from '../../../shared/directory.ts';
import { validateDiscoverInput } from '../../../shared/directory.ts';
import { mailboxTotal, sameMajorVersion, type Topology } from '../../../shared/topology.ts';
import { BackendError } from '../backend/backend-error.ts';
import type { Store } from './index.ts';
import { directoryOf } from './preflight-slice.ts';

export interface ServersForm {
  mode: 'domain' | 'url';
  domain: string;
  dnsServer: string;
  url: string;
  username: string;
  password: string;
}

export interface DiscoveryState {
  running: boolean;
  operationId: string | null;
  stage: string;
  done: number;
  total: number | null;
  /** Field -> one sentence. `form` for errors that concern no single field. */
  errors: Record<string, string>;
  /** A certificate the DC presented that nothing trusts yet: the UI asks about it. */
  pendingCertificate: CertificateInfo | null;
}

export interface ServersSlice {
  form: ServersForm;
  caPem: string | null;
  caName: string | null;
  pinned: PinnedCertificate[];
  discovery: DiscoveryState;
  topology: Topology | null;
  source: string | null;
  targets: string[];
  setField<K extends keyof ServersForm>(key: K, value: ServersForm[K]): void;
  setCa(name: string | null, pem: string | null): void;
  connect(): Promise<void>;
  cancelDiscovery(): Promise<void>;
  trustPendingCertificate(): Promise<void>;
  rejectPendingCertificate(): void;
  chooseSource(name: string): void;
  toggleTarget(name: string): void;
}

const idle: DiscoveryState = { running: false, operationId: null, stage: '', done: 0, total: null, errors: {}, pendingCertificate: null };

function newOperationId(): string {
  return `discover-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The usual choice: the busiest server as source; the first empty server of the same line (by name) as target, more can be ticked. */
export function defaultSelection(t: Topology): { source: string | null; targets: string[] } {
  const mailboxServers = t.servers.filter((s) => s.roles.includes('mailbox'));
  const source = [...mailboxServers].sort((a, b) => mailboxTotal(t, b.name) - mailboxTotal(t, a.name))[0];
  if (!source) return { source: null, targets: [] };
  const standbys = mailboxServers.filter((s) => s.name !== source.name && sameMajorVersion(s.version, source.version) && mailboxTotal(t, s.name) === 0);
  const first = standbys.map((s) => s.name).sort()[0];
  return { source: source.name, targets: first ? [first] : [] };
}

/** A reopened job's servers, chosen again when the directory still has them all. */
export function reopenedSelection(r: { source: string; targets: string[] } | null, t: Topology): { source: string; targets: string[] } | null {
  if (!r) return null;
  const has = (n: string) => t.servers.some((s) => s.name.toLowerCase() === n.toLowerCase());
  return has(r.source) && r.targets.every(has) ? { source: r.source, targets: r.targets } : null;
}

export const createServersSlice = (backend: Backend): StateCreator<Store, [], [], ServersSlice> => (set, get) => ({
  form: { mode: 'domain', domain: '', dnsServer: '', url: '', username: '', password: '' },
  caPem: null,
  caName: null,
  pinned: [],
  discovery: idle,
  topology: null,
  source: null,
  targets: [],
  setField(key, value) {
    const errors = { ...get().discovery.errors };
    delete errors[key];
    delete errors.form;
    set({ form: { ...get().form, [key]: value }, discovery: { ...get().discovery, errors } });
  },
  setCa(name, pem) {
    set({ caName: name, caPem: pem });
  },
  async connect() {
    const { form, caPem, pinned } = get();
    const target: DirectoryTarget = form.mode === 'domain'
      ? { kind: 'domain', domain: form.domain.trim(), ...(form.dnsServer.trim() ? { dnsServer: form.dnsServer.trim() } : {}) }
      : { kind: 'url', url: form.url.trim(), ...(form.dnsServer.trim() ? { dnsServer: form.dnsServer.trim() } : {}) };
    const credentials = directoryOf(get()).credentials;
    const problems = validateDiscoverInput(target, credentials);
    if (problems.length) {
      set({ discovery: { ...idle, errors: Object.fromEntries(problems.map((p) => [p.field, p.message])) } });
      return;
    }
    const operationId = newOperationId();
    set({ discovery: { ...idle, running: true, operationId, stage: 'Starting' } });
    const off = backend.on('operation.progress', (p) => {
      if (p.operationId === operationId && !p.finished) set({ discovery: { ...get().discovery, stage: p.stage, done: p.done, total: p.total } });
    });
    try {
      const topology = await backend.call('directory.discover', { operationId, target, credentials, trust: { ...(caPem ? { caPem } : {}), pinned } });
      set({ topology, ...(reopenedSelection(get().reopened, topology) ?? defaultSelection(topology)), discovery: idle });
    } catch (e) {
      const err = e instanceof BackendError ? e : new BackendError({ code: 'internal', message: String(e) });
      if (err.code === 'untrusted-certificate') {
        set({ discovery: { ...idle, pendingCertificate: err.details as CertificateInfo } });
      } else {
        set({ discovery: { ...idle, errors: err.code === 'cancelled' ? {} : { [err.field ?? 'form']: err.message } } });
      }
    } finally {
      off();
    }
  },
  async cancelDiscovery() {
    const id = get().discovery.operationId;
    if (id) await backend.call('operation.cancel', { operationId: id });
  },
  async trustPendingCertificate() {
    const cert = get().discovery.pendingCertificate;
    if (!cert) return;
    set({ pinned: [...get().pinned.filter((p) => p.fingerprint256 !== cert.pin.fingerprint256), cert.pin], discovery: idle });
    await get().connect();
  },
  rejectPendingCertificate() {
    set({ discovery: { ...idle, errors: { ca: 'The certificate was not trusted, so nothing was sent to the DC. Add your CA, or check the fingerprint with the DC\'s administrator.' } } });
  },
  chooseSource(name) {
    set({ source: name, targets: get().targets.filter((t) => t !== name) });
  },
  toggleTarget(name) {
    if (name === get().source) return;
    const targets = get().targets.includes(name) ? get().targets.filter((t) => t !== name) : [...get().targets, name];
    set({ targets });
  },
});
