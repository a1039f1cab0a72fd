import { describe, expect, it } from 'vitest';
import { mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkJob } from '../../electron/jobs/job-file.ts';
import { listJobs, markOpened, recordAction, saveJob } from '../../electron/jobs/job-store.ts';

const job = (id: string, name: string) => checkJob({ version: 1, id, name, source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }] });
const A = '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11';
const B = '1c8e6f1d-9b54-4d2b-8d66-3e2f1b5f7c22';

describe('the jobs saved on this computer', () => {
  it('list the last opened first, with the last failover action', async () => {
    const base = mkdtempSync(join(tmpdir(), 'fg-jobs-'));
    await saveJob(job(A, 'Older'), base);
    await saveJob(job(B, 'Newer'), base);
    const past = new Date(Date.now() - 3600_000);
    utimesSync(join(base, 'jobs', A, 'job.json'), past, past);
    expect((await listJobs(base)).map((j) => j.job.name)).toEqual(['Newer', 'Older']);
    await markOpened(A, base);
    await recordAction(A, { action: 'rehearsal', target: 'MAIL2', at: '2026-11-30T12:00:00.000Z', outcome: 'applied' }, base);
    await recordAction(A, { action: 'failover', target: 'MAIL2', at: '2026-11-30T13:00:00.000Z', outcome: 'undone' }, base);
    const list = await listJobs(base);
    expect(list.map((j) => [j.job.name, !!j.openedAt, j.lastAction?.action, j.lastAction?.outcome])).toEqual([['Older', true, 'failover', 'undone'], ['Newer', false, undefined, undefined]]);
    await expect(markOpened('2d9f7a2e-0c65-4e3c-9e77-4f3a2c6a8d33', base)).rejects.toMatchObject({ code: 'no-job' });
  });
});
