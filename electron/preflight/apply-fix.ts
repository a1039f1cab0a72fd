/** Applying one fix plan: every step journaled with its output; on failure, undo what ran, newest first. */
import type { FixPlan, FixResult, FixStep, PreflightRequest } from '../../shared/preflight.ts';
import type { SshPool } from '../hosts/ssh-pool.ts';

/** Writes DNS records in the directory (only the directory steps of a plan need it). */
export interface DirectoryWriter {
  setRecord(step: NonNullable<FixStep['dns']>): Promise<void>;
  restore(step: NonNullable<FixStep['dns']>): Promise<void>;
}

export async function applyPlan(plan: FixPlan, req: PreflightRequest, pool: SshPool, dir: DirectoryWriter | undefined, signal?: AbortSignal): Promise<FixResult> {
  const journal: FixResult['journal'] = [];
  const done: FixStep[] = [];
  const hosts = [req.source, ...req.targets, ...(req.witness ? [req.witness] : [])];
  const runStep = async (step: FixStep, mode: 'do' | 'undo'): Promise<{ code: number; output: string }> => {
    const command = mode === 'do' ? step.command : step.undo;
    if (step.host === 'directory') {
      if (!dir || !step.dns) return { code: 1, output: 'no directory connection for this change' };
      try {
        if (mode === 'undo') await dir.restore(step.dns);
        else await dir.setRecord(step.dns);
        return { code: 0, output: 'written' };
      } catch (e) {
        return { code: 1, output: (e as Error).message };
      }
    }
    if (!command) return { code: 0, output: 'nothing to undo' };
    const target = hosts.find((h) => h.name === step.host);
    if (!target) return { code: 1, output: `unknown host ${step.host}` };
    try {
      // Undo runs even after a cancel: leaving a half-applied fix would be worse.
      const r = await (await pool.get(target)).exec(command, { timeoutMs: 120_000, ...(mode === 'do' ? { signal } : {}) });
      return { code: r.code, output: `${r.stdout}${r.stderr}`.trim().slice(-2000) };
    } catch (e) {
      return { code: 1, output: (e as Error).message };
    }
  };
  for (const step of plan.steps) {
    const r = await runStep(step, 'do');
    journal.push({ host: step.host, command: step.command, code: r.code, output: r.output, at: new Date().toISOString() });
    if (r.code !== 0) {
      for (const prev of [...done].reverse()) {
        const reversible = prev.undo || (prev.host === 'directory' && prev.dns);
        if (!reversible) continue;
        const u = await runStep(prev, 'undo');
        journal.push({ host: prev.host, command: `undo: ${prev.undo ?? 'restore the previous DNS records'}`, code: u.code, output: u.output, at: new Date().toISOString() });
      }
      return { plan, applied: false, recheck: null, error: `"${step.description}" failed on ${step.host} (exit ${r.code}): ${r.output.split('\n').at(-1) || 'no output'}; the steps before it were undone.`, journal };
    }
    done.push(step);
  }
  return { plan, applied: true, recheck: null, journal };
}
