/**
 * Where a failover or failback stands on a target, kept in its state folder (phase.json) by
 * the plan's own steps, so the monitor shows it and a restarted agent remembers it. No file:
 * the target is a standby.
 */
import { readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export type Phase = 'failing-over' | 'failed-over' | 'failing-back';
export interface PhaseRecord { phase: Phase; at: number; epoch?: number; point?: string }

const file = (dir: string) => join(dir, 'phase.json');

export function readPhase(dir: string): PhaseRecord | null {
  try {
    const r = JSON.parse(readFileSync(file(dir), 'utf8')) as PhaseRecord;
    return r.phase === 'failing-over' || r.phase === 'failed-over' || r.phase === 'failing-back' ? r : null;
  } catch {
    return null;
  }
}

export function writePhase(dir: string, r: PhaseRecord | null): void {
  if (!r) return void rmSync(file(dir), { force: true });
  writeFileSync(`${file(dir)}.tmp`, JSON.stringify(r), { mode: 0o600 });
  renameSync(`${file(dir)}.tmp`, file(dir));
}
