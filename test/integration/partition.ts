/**
 * The partition matrix's parts, shared by its lab test and the failover benchmark: SMTP probed
 * on both mail servers five times a second, the cases (cut links, killed hosts, a flapping
 * link), and one case run from a healthy job to healed again.
 */
import { greeting } from '../../agent/src/monitor/services.ts';
import { inHost, lab, labStatus } from './helpers.ts';

export const MAIL1 = '198.18.0.11';
export const MAIL2 = '198.18.0.12';

export const serving = async (address: string) => /^220 /.test((await greeting(25, address)) ?? '');
export const monitorOf = (host: string) => (JSON.parse(inHost(labStatus(), host, 'cat /var/lib/failguard/state.json').stdout || '{}') as { monitor?: Record<string, unknown> }).monitor;

export interface Probed { rounds: number; mail1: number; mail2: number; both: number }

/** Probes SMTP on both servers five times a second while `during` runs; how often each answered, and how often both did. */
export async function probed(during: () => Promise<void>): Promise<Probed> {
  const r = { rounds: 0, mail1: 0, mail2: 0, both: 0 };
  let on = true;
  const loop = (async () => {
    while (on) {
      const [a, b] = await Promise.all([serving(MAIL1), serving(MAIL2)]);
      r.rounds++;
      if (a) r.mail1++;
      if (b) r.mail2++;
      if (a && b) r.both++;
      await new Promise((x) => setTimeout(x, 200));
    }
  })();
  try {
    await during();
  } finally {
    on = false;
    await loop;
  }
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
  { name: 'MAIL1–witness cut', cuts: [SW], mail1Serves: true },
  { name: 'MAIL2–witness cut', cuts: [TW], mail1Serves: true },
  { name: 'MAIL1–MAIL2 and MAIL2–witness cut', cuts: [ST, TW], mail1Serves: true },
  { name: 'MAIL1–witness and MAIL2–witness cut (the witness alone)', cuts: [SW, TW], mail1Serves: true },
  // Everything cut: MAIL1 fences itself and MAIL2 cannot get the lease, so nobody serves; safe, and it heals by itself.
  { name: 'every link cut', cuts: [ST, SW, TW], mail1Serves: false },
  { name: 'the witness killed', cuts: [], killed: 'witness', mail1Serves: true },
  { name: 'MAIL2 killed', cuts: [], killed: 'mail2', mail1Serves: true },
  { name: 'MAIL1–MAIL2 flapping every 2 s', cuts: [], flap: ST, mail1Serves: true },
];

export const healAll = () => { for (const [a, b] of [ST, SW, TW]) lab('heal', a, b); };

/** Runs one case for `watchMs` with SMTP probed, then heals it; what was probed and what the monitors said at the end. */
export async function runNoFailoverCase(c: NoFailoverCase, watchMs: number): Promise<{ probed: Probed; target: Record<string, unknown> | undefined; source: Record<string, unknown> | undefined }> {
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
  const seen = { target: monitorOf(c.killed === 'mail2' ? 'witness' : 'mail2'), source: monitorOf('mail1') };
  healAll();
  if (c.killed) lab('start', c.killed);
  return { probed: r, ...seen };
}
