/**
 * A planned switchover from the host that serves: its services stopped first, the lease handed
 * to the target at the witness, then a final point taken after the stop and confirmed by the
 * target, so that nothing at all is lost. Each command is safe to run twice.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from './config.ts';
import { ask, loadTls } from './peer.ts';
import { UserError } from '../../shared/errors.ts';
import { parsePoint } from '../../shared/points.ts';
import { anyRunning, resolveServices, stopServices } from './monitor/services.ts';

interface Handover { to: string; stoppedAt: number }
const file = (c: AgentConfig) => join(c.stateDir, 'handover.json');
const read = (c: AgentConfig): Handover | null => {
  try {
    return JSON.parse(readFileSync(file(c), 'utf8')) as Handover;
  } catch {
    return null;
  }
};

const witness = (c: AgentConfig) => {
  const w = c.monitor?.witness;
  if (!w) throw new UserError('no-witness', 'This job has no witness to hand the lease over at.');
  return w;
};

export async function handOver(c: AgentConfig, to: string): Promise<string> {
  if (!to) throw new UserError('bad-input', 'Say which host takes over.');
  const services = resolveServices(c.monitor?.services ?? []);
  if (!(await stopServices(services, 20_000, () => undefined))) throw new UserError('service-failed', `A mail service on ${c.host} is still running after it was told to stop; the lease stays here.`);
  const before = read(c);
  if (before?.to !== to) writeFileSync(file(c), JSON.stringify({ to, stoppedAt: Date.now() }), { mode: 0o600 });
  const r = await ask(loadTls(c), c.jobId, witness(c), { op: 'handover', to }, 5000).catch((e: Error) => {
    throw new UserError('witness-unreachable', `The witness did not answer (${e.message}); ${c.host}'s services are stopped, and it keeps the lease until the witness answers.`);
  });
  if (r.granted !== true) throw new UserError('lease-refused', `The witness refused the handover: ${String(r.error ?? 'no reason given')}.`);
  return `the lease is with ${to} (lease ${String(r.epoch)}); ${c.host}'s services are stopped`;
}

export async function handedOver(c: AgentConfig): Promise<{ ok: boolean; detail: string }> {
  const h = read(c);
  if (!h) return { ok: false, detail: 'no handover was started here' };
  const r = await ask(loadTls(c), c.jobId, witness(c), { op: 'witness-status' }, 5000);
  const running = await anyRunning(resolveServices(c.monitor?.services ?? []));
  return { ok: r.active === h.to && !running, detail: `the witness names ${String(r.active)}; services ${running ? 'running' : 'stopped'}` };
}

/** Waits until the target has confirmed a point taken after the services stopped (the last of the data). */
export async function finalPoint(c: AgentConfig): Promise<string> {
  const h = read(c);
  if (!h) throw new UserError('bad-input', 'No handover was started here, so there is no final point to wait for.');
  const end = Date.now() + 120_000;
  for (;;) {
    let last: string | null = null;
    try {
      last = (JSON.parse(readFileSync(join(c.stateDir, 'state.json'), 'utf8')) as { targets: Record<string, { lastPoint: string | null }> }).targets[h.to]?.lastPoint ?? null;
    } catch { /* being rewritten */ }
    const p = last ? parsePoint(last) : null;
    if (p && p.at > h.stoppedAt) return `${h.to} holds ${p.name}, taken after the services stopped`;
    if (Date.now() > end) throw new UserError('no-final-point', `${h.to} has not confirmed a point taken after ${c.host}'s services stopped (its newest is ${last ?? 'none'}); check replication, then run the switchover again.`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
