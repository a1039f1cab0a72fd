/**
 * Step 3's failover choices as the person edits them (text stays text until checked): the
 * mode and its timeout, the mail services the agents own, and the DNS records a failover
 * repoints. Checked with the job's own schema, so the wizard and a job file agree.
 */
import type { StateCreator } from 'zustand';
import { failoverSchema, type Job } from '../../../shared/job.ts';
import type { FailoverRecordType } from '../../../shared/dns-record.ts';
import { issueField } from '../../../shared/schemas.ts';
import type { Store } from './index.ts';

export interface DnsRecordDraft { zone: string; name: string; type: FailoverRecordType; ttl: string; server: string; key: string }
export interface FailoverDraft { mode: 'alert' | 'automatic'; timeoutSeconds: string; services: string; dns: DnsRecordDraft[] }

export const defaultFailoverDraft = (): FailoverDraft => ({ mode: 'alert', timeoutSeconds: '60', services: 'dovecot, postfix', dns: [] });

export interface FailoverOptionsSlice {
  failoverDraft: FailoverDraft;
  /** TSIG key name → secret, typed in step 3 for records outside AD: in memory, sent with the protect request, kept only in the back end's encrypted store. */
  tsigSecrets: Record<string, string>;
  setTsigSecret(key: string, secret: string): void;
  setFailoverDraft(patch: Partial<Omit<FailoverDraft, 'dns'>>): void;
  /** A new record row: the directory's domain and `mail` for the first, as most sites name it. */
  addDnsRecord(): void;
  setDnsRecord(index: number, patch: Partial<DnsRecordDraft>): void;
  removeDnsRecord(index: number): void;
}

export const createFailoverOptionsSlice: StateCreator<Store, [], [], FailoverOptionsSlice> = (set, get) => ({
  failoverDraft: defaultFailoverDraft(),
  tsigSecrets: {},
  setTsigSecret(key, secret) {
    const next = { ...get().tsigSecrets };
    if (secret) next[key] = secret;
    else delete next[key];
    set({ tsigSecrets: next });
  },
  setFailoverDraft(patch) { set({ failoverDraft: { ...get().failoverDraft, ...patch } }); },
  addDnsRecord() {
    const d = get().failoverDraft;
    const zone = get().topology?.directory.dnsDomain ?? '';
    set({ failoverDraft: { ...d, dns: [...d.dns, { zone, name: d.dns.length ? '' : 'mail', type: 'A', ttl: '60', server: '', key: '' }] } });
  },
  setDnsRecord(i, patch) {
    const d = get().failoverDraft;
    set({ failoverDraft: { ...d, dns: d.dns.map((r, j) => (j === i ? { ...r, ...patch } : r)) } });
  },
  removeDnsRecord(i) {
    const d = get().failoverDraft;
    set({ failoverDraft: { ...d, dns: d.dns.filter((_, j) => j !== i) } });
  },
});

const num = (x: string) => (x.trim() === '' ? Number.NaN : Number(x));

/** The draft as the job's failover options, or the problems with it (field → plain words, e.g. `dns[0].zone`). */
export function checkFailover(d: FailoverDraft): { ok: true; failover: Job['failover'] } | { ok: false; problems: Record<string, string> } {
  const input = {
    mode: d.mode,
    timeoutSeconds: num(d.timeoutSeconds),
    services: d.services.split(/[\s,]+/).filter(Boolean),
    dns: d.dns.map((r) => ({
      zone: r.zone.trim().replace(/\.$/, ''), name: r.name.trim() || '@', type: r.type, ttl: num(r.ttl),
      ...(r.server.trim() ? { server: { address: r.server.trim(), key: r.key.trim() } } : {}),
    })),
  };
  const r = failoverSchema.safeParse(input);
  if (r.success) return { ok: true, failover: r.data };
  const problems: Record<string, string> = {};
  for (const i of r.error.issues) problems[issueField(i).replace(/^dns\[(\d+)\]\.server\.address$/, 'dns[$1].server')] ??= i.message.replace(/^Invalid input: expected number, received NaN$/, 'give a number');
  return { ok: false, problems };
}
