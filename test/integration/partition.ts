/**
 * The partition matrix's parts, shared by its lab tests and the failover benchmark: acceptance
 * probed on every mail server in rounds started every 200 ms (RCPT TO answered 250, as a sender sees it —
 * a greeting proves nothing), the cases (cut links, killed hosts, a flapping link), and one case
 * run from a healthy job to healed again.
 */
import { agentEvents, inHost, lab, labStatus, rcptAccepted } from './helpers.ts';

export const MAIL1 = '198.18.0.11';
export const MAIL2 = '198.18.0.12';
export const MAIL3 = '198.18.0.14';
export const MAIL_HOSTS = { mail1: MAIL1, mail2: MAIL2, mail3: MAIL3 } as const;
export type MailHost = keyof typeof MAIL_HOSTS;

/** How acceptance is probed (the benchmark's `accept_probe`). */
export const ACCEPT_PROBE = 'SMTP RCPT TO answered 250 on every mail server, rounds started every 200 ms (a round waits for its slowest server)';

export const accepting = (address: string) => rcptAccepted(address);
export const monitorOf = (host: string) => (JSON.parse(inHost(labStatus(), host, 'cat /var/lib/failguard/state.json 2>/dev/null').stdout || '{}') as { monitor?: Record<string, unknown> }).monitor;

export interface Probed {
  /** When probing began (ms since the epoch); firstS and lastS count from here. */
  startedAt: number;
  rounds: number;
  /** Rounds in which each host accepted. */
  accepted: Record<string, number>;
  /** Rounds in which two or more hosts accepted at once (split-brain moments). */
  both: number;
  /** Per host, seconds from the start of the probe to its first and last accepting round (null: never). */
  firstS: Record<string, number | null>;
  lastS: Record<string, number | null>;
  /** Per host, seconds from the start of the probe to each accepting round. */
  acceptedS: Record<string, number[]>;
  mail1: number;
  mail2: number;
}

/** Probes acceptance on `hosts` in rounds started every 200 ms (a round waits for its slowest server) while `during` runs. */
export async function probed(during: () => Promise<void>, hosts: readonly MailHost[] = ['mail1', 'mail2']): Promise<Probed> {
  const t0 = Date.now();
  const r: Probed = { startedAt: t0, rounds: 0, accepted: {}, both: 0, firstS: {}, lastS: {}, acceptedS: {}, mail1: 0, mail2: 0 };
  for (const h of hosts) { r.accepted[h] = 0; r.firstS[h] = null; r.lastS[h] = null; r.acceptedS[h] = []; }
  let on = true;
  const loop = (async () => {
    while (on) {
      const started = Date.now();
      const got = await Promise.all(hosts.map((h) => accepting(MAIL_HOSTS[h])));
      const at = (started - t0) / 1000;
      r.rounds++;
      hosts.forEach((h, i) => {
        if (!got[i]) return;
        r.accepted[h]!++;
        r.firstS[h] ??= at;
        r.lastS[h] = at;
        r.acceptedS[h]!.push(at);
      });
      if (got.filter(Boolean).length > 1) r.both++;
      await new Promise((x) => setTimeout(x, Math.max(0, 200 - (Date.now() - started))));
    }
  })();
  try {
    await during();
  } finally {
    on = false;
    await loop;
  }
  r.mail1 = r.accepted.mail1 ?? 0;
  r.mail2 = r.accepted.mail2 ?? 0;
  return r;
}

export type Host = 'mail1' | 'mail2' | 'witness';
export type Cut = [Host, Host];
export const ST: Cut = ['mail1', 'mail2'];
export const SW: Cut = ['mail1', 'witness'];
export const TW: Cut = ['mail2', 'witness'];

export interface NoFailoverCase { name: string; cuts: Cut[]; killed?: Host; flap?: Cut; mail1Serves: boolean }

/** Every case where MAIL1 is still there: no failover may happen. */
export const NO_FAILOVER_CASES: NoFailoverCase[] = [
  { name: 'nothing cut', cuts: [], mail1Serves: true },
  { name: 'MAIL1–MAIL2 cut', cuts: [ST], mail1Serves: true },
  // MAIL1 still has the witness's word.
  { name: 'MAIL1–witness cut', cuts: [SW], mail1Serves: true },
  { name: 'MAIL2–witness cut', cuts: [TW], mail1Serves: true },
  { name: 'MAIL1–MAIL2 and MAIL2–witness cut', cuts: [ST, TW], mail1Serves: true },
  { name: 'MAIL1–witness and MAIL2–witness cut (the witness alone)', cuts: [SW, TW], mail1Serves: true },
  // Everything cut: MAIL1 fences itself and MAIL2 cannot get the lease, so nobody serves; safe, and it heals by itself.
  { name: 'every link cut', cuts: [ST, SW, TW], mail1Serves: false },
  // The witness gone: MAIL1 takes mail on the word of its only standby, which promised not to take the lease meanwhile.
  { name: 'the witness killed', cuts: [], killed: 'witness', mail1Serves: true },
  { name: 'MAIL2 killed', cuts: [], killed: 'mail2', mail1Serves: true },
  { name: 'MAIL1–MAIL2 flapping every 2 s', cuts: [], flap: ST, mail1Serves: true },
];

/** The agent's events (and its supervisor's) on `host` since `sinceMs`, in words: what a failed case shows to explain itself. */
export function agentLogSince(host: string, sinceMs: number): string[] {
  return agentEvents(host).filter((e) => e.at >= sinceMs - 2000).slice(-60).map((e) => `${new Date(e.at).toISOString()} ${e.kind}: ${e.message}`);
}

export const healAll = () => { for (const [a, b] of [ST, SW, TW]) lab('heal', a, b); };

/** Runs one case for `watchMs` with acceptance probed, then heals it; what was probed and what the monitors said at the end. */
export async function runNoFailoverCase(c: NoFailoverCase, watchMs: number): Promise<{ probed: Probed; target: Record<string, unknown> | undefined; source: Record<string, unknown> | undefined; logs: Record<string, string[]> }> {
  const began = Date.now();
  for (const cut of c.cuts) lab('cut', ...cut);
  if (c.killed) lab('kill', c.killed);
  let flaps = 0;
  const r = await probed(async () => {
    const end = Date.now() + watchMs;
    while (Date.now() < end) {
      if (c.flap) lab(flaps++ % 2 ? 'heal' : 'cut', ...c.flap);
      await new Promise((x) => setTimeout(x, 2000));
    }
  });
  const seen = { target: monitorOf(c.killed === 'mail2' ? 'witness' : 'mail2'), source: monitorOf('mail1'),
    logs: { mail1: agentLogSince('mail1', began), mail2: c.killed === 'mail2' ? [] : agentLogSince('mail2', began) } };
  healAll();
  if (c.killed) lab('start', c.killed);
  return { probed: r, ...seen };
}
