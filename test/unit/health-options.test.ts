/** Step 3's health choices: checked with the job's schemas (warning below critical, a plain metrics folder or none), and read back from a saved job. */
import { describe, expect, it } from 'vitest';
import { checkHealth, defaultHealthDraft, healthDraftOf } from '../../renderer/src/store/health-options.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';

describe('the health options', () => {
  it('default to 30 s and 5 minutes and Debian\'s node_exporter folder', () => {
    expect(checkHealth(defaultHealthDraft())).toEqual({ ok: true, health: { rpoWarnSeconds: 30, rpoCriticalSeconds: 300, noSendMinutes: 10, syncStallMinutes: 10, minFreePercent: 5 }, metrics: { textfileDir: '/var/lib/prometheus/node-exporter' }, rehearsals: { every: 'off', weekday: 'sun', time: '03:00' } });
    expect(checkHealth({ ...defaultHealthDraft(), metricsDir: '  ' })).toMatchObject({ ok: true, metrics: { textfileDir: null } });
  });

  it('say what is wrong, by field', () => {
    const d = defaultHealthDraft();
    expect(checkHealth({ ...d, rpoWarnSeconds: '300', rpoCriticalSeconds: '60', metricsDir: '' })).toEqual({ ok: false, problems: { rpoCriticalSeconds: 'must be longer than the warning age' } });
    expect(checkHealth({ ...d, rehearseEvery: 'week', rehearseTime: '25:00' })).toEqual({ ok: false, problems: { rehearseTime: 'not a time of day (HH:MM, 24 hours)' } });
    expect(checkHealth({ ...d, noSendMinutes: '', minFreePercent: '60' })).toEqual({ ok: false, problems: { noSendMinutes: 'give a number of minutes', minFreePercent: 'at most 50%' } });
    expect(checkHealth({ ...d, rpoWarnSeconds: '', rpoCriticalSeconds: '0', metricsDir: 'metrics' })).toEqual({ ok: false, problems: { rpoWarnSeconds: 'give a number of seconds', rpoCriticalSeconds: 'at least 1 second', metricsDir: 'not an absolute path; give it from the root, e.g. /srv/mail' } });
  });

  it('come back from a saved job as they were', () => {
    const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'J', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }],
      health: { rpoWarnSeconds: 45, rpoCriticalSeconds: 900, noSendMinutes: 30, minFreePercent: 2.5 }, metrics: { textfileDir: null }, rehearsals: { every: 'week', weekday: 'wed', time: '22:30', target: 'MAIL2' } }));
    expect(healthDraftOf(job)).toEqual({ rpoWarnSeconds: '45', rpoCriticalSeconds: '900', metricsDir: '', noSendMinutes: '30', syncStallMinutes: '10', minFreePercent: '2.5', rehearseEvery: 'week', rehearseWeekday: 'wed', rehearseTime: '22:30', rehearseTarget: 'MAIL2' });
    expect(checkHealth(healthDraftOf(job))).toEqual({ ok: true, health: job.health, metrics: job.metrics, rehearsals: job.rehearsals });
  });
});
