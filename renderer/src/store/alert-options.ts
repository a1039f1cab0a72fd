/**
 * Step 3's alert receivers as the person edits them: where the failover monitor's changes,
 * failovers and fencing are sent (SMTP, SNMP v2c or v3 traps, syslog). Checked with the job's
 * own schema. Their secrets (SMTP password, SNMP community and v3 keys) stay in memory and go
 * with the protect request only: the back end keeps them in its encrypted store, never in the job.
 */
import type { StateCreator } from 'zustand';
import { z } from 'zod';
import { alertReceiverSchema, type JobAlert } from '../../../shared/failover-options.ts';
import type { AlertSecrets } from '../../../shared/alerts.ts';
import { issueField } from '../../../shared/schemas.ts';
import type { Store } from './index.ts';

export type AlertKind = JobAlert['kind'];
export const ALERT_KINDS: readonly AlertKind[] = ['smtp', 'syslog', 'snmp-v2c', 'snmp-v3'];

/** Text fields stay text until checked; `to` is a comma list. */
export interface AlertDraft { kind: AlertKind; host: string; port: string; from: string; to: string; username: string; transport: 'udp' | 'tcp'; user: string; engineId: string }

const DEFAULT_PORT: Record<AlertKind, string> = { smtp: '587', syslog: '514', 'snmp-v2c': '162', 'snmp-v3': '162' };
export const newAlertDraft = (kind: AlertKind = 'smtp'): AlertDraft => ({ kind, host: '', port: DEFAULT_PORT[kind], from: '', to: '', username: '', transport: 'udp', user: '', engineId: '' });

export interface AlertOptionsSlice {
  alertDrafts: AlertDraft[];
  alertSecrets: AlertSecrets;
  addAlert(): void;
  setAlert(index: number, patch: Partial<AlertDraft>): void;
  removeAlert(index: number): void;
  setAlertSecret(key: keyof AlertSecrets, value: string): void;
}

export const createAlertOptionsSlice: StateCreator<Store, [], [], AlertOptionsSlice> = (set, get) => ({
  alertDrafts: [],
  alertSecrets: {},
  addAlert() { set({ alertDrafts: [...get().alertDrafts, newAlertDraft()] }); },
  setAlert(i, patch) {
    set({ alertDrafts: get().alertDrafts.map((a, j) => {
      if (j !== i) return a;
      // A new kind brings its own default port, unless the person typed one.
      const port = patch.kind && patch.kind !== a.kind && a.port === DEFAULT_PORT[a.kind] ? DEFAULT_PORT[patch.kind] : a.port;
      return { ...a, port, ...patch };
    }) });
  },
  removeAlert(i) { set({ alertDrafts: get().alertDrafts.filter((_, j) => j !== i) }); },
  setAlertSecret(key, value) {
    const next = { ...get().alertSecrets };
    if (value) next[key] = value;
    else delete next[key];
    set({ alertSecrets: next });
  },
});

const num = (x: string) => (x.trim() === '' ? Number.NaN : Number(x));

function inputOf(a: AlertDraft): unknown {
  const base = { kind: a.kind, host: a.host.trim(), port: num(a.port) };
  switch (a.kind) {
    case 'smtp': return { ...base, from: a.from.trim(), to: a.to.split(/[\s,;]+/).filter(Boolean), ...(a.username.trim() ? { username: a.username.trim() } : {}) };
    case 'syslog': return { ...base, transport: a.transport };
    case 'snmp-v3': return { ...base, user: a.user.trim(), engineId: a.engineId.trim() };
    default: return base;
  }
}

/** The drafts as the job's alert receivers, or the problems (field → plain words, e.g. `alerts[0].host`). */
export function checkAlerts(drafts: readonly AlertDraft[]): { ok: true; alerts: JobAlert[] } | { ok: false; problems: Record<string, string> } {
  const r = z.array(alertReceiverSchema).max(20).safeParse(drafts.map(inputOf));
  if (r.success) return { ok: true, alerts: r.data };
  const problems: Record<string, string> = {};
  for (const i of r.error.issues) problems[`alerts${issueField(i)}`] ??= i.message.replace(/^Invalid input: expected number, received NaN$/, 'give a number');
  return { ok: false, problems };
}

/** Which secrets the receivers need that nobody typed yet (the back end may still hold them for a saved job). */
export function secretsNeeded(alerts: readonly JobAlert[]): Array<keyof AlertSecrets> {
  const need = new Set<keyof AlertSecrets>();
  for (const a of alerts) {
    if (a.kind === 'smtp' && a.username) need.add('smtpPassword');
    if (a.kind === 'snmp-v2c') need.add('snmpCommunity');
    if (a.kind === 'snmp-v3') { need.add('snmpAuthKey'); need.add('snmpPrivKey'); }
  }
  return [...need];
}

export function draftsOfAlerts(alerts: readonly JobAlert[]): AlertDraft[] {
  return alerts.map((a) => ({
    ...newAlertDraft(a.kind), host: a.host, port: String(a.port),
    ...(a.kind === 'smtp' ? { from: a.from, to: a.to.join(', '), username: a.username ?? '' } : {}),
    ...(a.kind === 'syslog' ? { transport: a.transport } : {}),
    ...(a.kind === 'snmp-v3' ? { user: a.user, engineId: a.engineId } : {}),
  }));
}
