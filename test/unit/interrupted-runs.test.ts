/** The next start says what the journal holds: app.info lists runs cut short, without running anything. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandlers } from '../../electron/backend/handlers.ts';
import { Journal, findInterrupted, jobOrigin, preflightOrigin } from '../../electron/plans/journal.ts';
import { recoverInterrupted } from '../../electron/plans/recover.ts';
import type { PlanContext } from '../../electron/plans/step-kit.ts';
import { sealPlan } from '../../electron/plans/plan-id.ts';

const saved = process.env.FAILGUARD_DATA_DIR;
afterEach(() => { process.env.FAILGUARD_DATA_DIR = saved; });

describe('runs cut short', () => {
  it('are listed by app.info with how far each plan got; finished runs are not', async () => {
    const data = mkdtempSync(join(tmpdir(), 'fg-data-'));
    process.env.FAILGUARD_DATA_DIR = data;
    const plan = sealPlan({ title: 'two steps', onFailure: 'undo' as const, steps: [
      { kind: 'command' as const, host: 'MAIL2', description: 'a', command: 'true' },
      { kind: 'command' as const, host: 'MAIL2', description: 'b', command: 'true' },
    ] });
    const cut = Journal.create(join(data, 'journal'), [plan], ['MAIL2']);
    cut.write({ t: 'step-start', planId: plan.id, index: 0 });
    cut.write({ t: 'step-done', planId: plan.id, index: 0, output: '' });
    const done = Journal.create(join(data, 'journal'), [plan], ['MAIL2']);
    done.write({ t: 'end' });
    const info = await createHandlers({ transport: 'http' })['app.info']({}, { emit: () => undefined });
    expect(info.interrupted).toEqual([{ runId: cut.runId, startedAt: expect.any(String), hosts: ['MAIL2'], origin: 'unattributed', plans: [{ planId: plan.id, title: 'two steps', stepsDone: 1, steps: 2 }] }]);
  });

  it('ignores a torn last line (the process died while writing it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-journal-'));
    const plan = sealPlan({ title: 't', onFailure: 'undo' as const, steps: [{ kind: 'command' as const, host: 'H', description: 'a', command: 'true' }] });
    const j = Journal.create(dir, [plan], ['H']);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(j.file, '{"t":"step-st');
    expect(findInterrupted(dir).map((r) => r.summary.plans[0]!.stepsDone)).toEqual([0]);
  });

  it('is finished only by a run of the same job (or the same pre-flight\'s servers); any other run only reports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-journal-'));
    const ran: string[] = [];
    // A host whose commands are recorded, not run.
    const ctx: PlanContext & { names: string[] } = { names: ['MAIL2'], directory: () => Promise.reject(new Error('no directory')),
      host: async () => ({ exec: async (command: string) => { ran.push(command); return { code: 0, stdout: '', stderr: '', ms: 1 }; }, upload: async () => undefined }) as never };
    const plan = sealPlan({ title: 'job A fix', onFailure: 'undo' as const, steps: [{ kind: 'command' as const, host: 'MAIL2', description: 'a', command: 'echo job-a' }] });
    Journal.create(dir, [plan], ['MAIL2'], jobOrigin('aaaa'));
    for (const other of [jobOrigin('bbbb'), preflightOrigin(['MAIL1', 'MAIL2']), undefined]) {
      const [r] = await recoverInterrupted(dir, ctx, { ...(other ? { origin: other } : {}) });
      expect(r!.results, String(other)).toBeUndefined();
      expect(r!.waiting).toMatch(/^It is finished by the next run of the job aaaa that applies changes\.$/);
    }
    expect(ran).toEqual([]);
    const [mine] = await recoverInterrupted(dir, ctx, { origin: jobOrigin('aaaa') });
    expect(mine!.results?.map((x) => x.outcome)).toEqual(['applied']);
    expect(ran).toEqual(['echo job-a']);
    expect(findInterrupted(dir)).toEqual([]);
    expect(preflightOrigin(['mail2', 'MAIL1'])).toBe(preflightOrigin(['MAIL1', 'MAIL2']));
  });
});
