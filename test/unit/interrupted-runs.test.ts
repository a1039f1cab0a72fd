/** The next start says what the journal holds: app.info lists runs cut short, without running anything. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandlers } from '../../electron/backend/handlers.ts';
import { Journal, findInterrupted } from '../../electron/plans/journal.ts';
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
    expect(info.interrupted).toEqual([{ runId: cut.runId, startedAt: expect.any(String), hosts: ['MAIL2'], plans: [{ planId: plan.id, title: 'two steps', stepsDone: 1, steps: 2 }] }]);
  });

  it('ignores a torn last line (the process died while writing it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-journal-'));
    const plan = sealPlan({ title: 't', onFailure: 'undo' as const, steps: [{ kind: 'command' as const, host: 'H', description: 'a', command: 'true' }] });
    const j = Journal.create(dir, [plan], ['H']);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(j.file, '{"t":"step-st');
    expect(findInterrupted(dir).map((r) => r.summary.plans[0]!.stepsDone)).toEqual([0]);
  });
});
