import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJob, readJob, writeJob } from '../../electron/jobs/job-file.ts';
import { jobSchema, type Job } from '../../shared/job.ts';
import { isRawErrorText } from '../../shared/errors.ts';
import { limitAt, parseSchedule } from '../../shared/schedule.ts';

const dir = mkdtempSync(join(tmpdir(), 'fg-jobs-'));
const minimal = { version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }] };

describe('the job file', () => {
  it('fills safe defaults and keeps no secret', () => {
    const j = parseJob(JSON.stringify(minimal));
    expect(j.targets[0]!.options).toEqual({ path: {}, compression: 'fast', schedule: '', intervalSeconds: 1, retention: { last: 60, hourlyForHours: 24, dailyForDays: 7 } });
    expect(j.protect).toEqual(['/srv/mail']);
    expect(j.replicationPort).toBe(7420);
    // No field of the job can hold a secret: every property name, at any depth.
    const names: string[] = [];
    const walk = (x: unknown): void => {
      if (!x || typeof x !== 'object') return;
      const o = x as Record<string, unknown>;
      if (o.properties && typeof o.properties === 'object') names.push(...Object.keys(o.properties).map((k) => k.toLowerCase()));
      Object.values(o).forEach(walk);
    };
    walk(jobSchema.toJSONSchema?.());
    expect(names).toContain('sshauth');
    expect(names.filter((n) => /password|passphrase|privatekey|secret/.test(n))).toEqual([]);
  });

  it.each([
    ['a target address that is not an IP address', { ...minimal, targets: [{ name: 'MAIL2', address: 'mail2' }] }, 'targets[0].address', /targets\[0\]\.address: not an IP address/],
    ['a schedule that does not parse', { ...minimal, targets: [{ ...minimal.targets[0], options: { schedule: 'weekdays 8-18 fast' } }] }, 'targets[0].options.schedule', /rule 1 \("weekdays 8-18 fast"\): "weekdays" is not a day/],
    ['a source that is also a target', { ...minimal, targets: [{ name: 'mail1', address: '198.18.0.99' }] }, 'targets[0].name', /the same server as source/],
    ['an unknown field', { ...minimal, password: 'x' }, 'password', /Unrecognized key|password/],
    ['no target', { ...minimal, targets: [] }, 'targets', /at least one target/],
  ])('refuses %s, naming the field', (_what, data, field, sentence) => {
    expect(() => parseJob(JSON.stringify(data), 'job.json')).toThrowError(sentence);
    try { parseJob(JSON.stringify(data), 'job.json'); } catch (e) {
      expect((e as { field: string }).field).toBe(field);
      expect(isRawErrorText((e as Error).message)).toBe(false);
    }
  });

  it.each([
    ['a truncated file', JSON.stringify(minimal).slice(0, 40), /not a complete job file/],
    ['an empty file', '', /is empty/],
    ['nonsense', '[1,2,3]', /not a Failguard job/],
    ['a newer version', JSON.stringify({ ...minimal, version: 7 }), /version 7, newer than this Failguard understands/],
    ['a version that never was', JSON.stringify({ ...minimal, version: 'one' }), /not a job version Failguard knows/],
  ])('refuses %s with one sentence and never overwrites it', async (_what, text, sentence) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, text);
    await expect(readJob(file)).rejects.toThrow(sentence);
    await expect(writeJob(file, parseJob(JSON.stringify(minimal)))).rejects.toThrow(sentence);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('writes a job that reads back the same', async () => {
    const file = join(dir, 'good.json');
    const job: Job = parseJob(JSON.stringify(minimal));
    await writeJob(file, job);
    expect(await readJob(file)).toEqual(job);
    await writeJob(file, { ...job, name: 'Renamed' });
    expect((await readJob(file)).name).toBe('Renamed');
  });
});

describe('the weekly bandwidth schedule', () => {
  it('is unlimited by default and applies later rules over earlier ones', () => {
    expect(parseSchedule('')).toMatchObject({ ok: true, rules: [] });
    const p = parseSchedule('mon-fri 08-18 20mbit; wed 12-13 unlimited; sat,sun * 1gbit');
    if (!p.ok) throw new Error(p.error);
    expect(p.limits).toHaveLength(168);
    expect(limitAt(p.limits, new Date(2026, 10, 30, 9))).toBe(2_500_000); // a Monday, 09:00
    expect(limitAt(p.limits, new Date(2026, 10, 30, 18))).toBeNull();
    expect(limitAt(p.limits, new Date(2026, 11, 2, 12))).toBeNull(); // Wednesday 12:00
    expect(limitAt(p.limits, new Date(2026, 11, 6, 3))).toBe(125_000_000); // Sunday
  });

  it.each([
    ['mon-fri 8-18', /write days, hours and a rate/],
    ['fri-mon 08-18 1mbit', /runs backwards/],
    ['mon 18-08 1mbit', /end comes after its start/],
    ['mon 08-18 fast', /"fast" is not a rate/],
    ['mon 08-18 0mbit', /"0mbit" is not a rate/],
  ])('%j: %s', (text, error) => {
    const p = parseSchedule(text);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error).toMatch(error);
  });
});
