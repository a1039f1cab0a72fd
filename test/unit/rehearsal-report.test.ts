/**
 * Rehearsals as evidence, the parts that need no lab: when a schedule is due and overdue, how the
 * copy's mailboxes are set against the directory, the verdict, the agent's census parsing, the
 * report built from a plan's results, its HTML, the kept reports, and the scheduler's choices.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastSlot, nextSlot, rehearsalDue, scheduleWords, type RehearsalSchedule } from '../../shared/rehearsal-schedule.ts';
import { compareMailboxes, judge, type RehearsalEvidence } from '../../shared/rehearsal-report.ts';
import { parseCensus } from '../../agent/src/rehearsal-check.ts';
import { buildRehearsalReport } from '../../electron/failover/rehearsal-run.ts';
import { rehearsalPlan } from '../../electron/failover/rehearsal.ts';
import { rehearsalHtml } from '../../electron/reports/rehearsal-html.ts';
import { listRehearsalReports, readRehearsalReport, saveRehearsalReport } from '../../electron/reports/rehearsal-store.ts';
import { rehearsalScheduler } from '../../electron/jobs/rehearsal-scheduler.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import type { PlanRunResult } from '../../shared/plan.ts';

const week = (o: Partial<RehearsalSchedule> = {}): RehearsalSchedule => ({ every: 'week', weekday: 'sun', time: '03:00', ...o });
const local = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi);
const base = mkdtempSync(join(tmpdir(), 'fg-rehearsal-unit-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Mail <HQ>', source: { name: 'MAIL1', address: '198.18.0.11' },
  targets: [{ name: 'MAIL2', address: '198.18.0.12' }], rehearsals: { every: 'day', time: '03:00' } }));

describe('the rehearsal schedule', () => {
  it('finds the slot at or before now, and the next one (Sunday 6 December 2026 is a Sunday)', () => {
    expect(lastSlot(week(), local(2026, 12, 6, 3, 0))).toEqual(local(2026, 12, 6, 3, 0));
    expect(lastSlot(week(), local(2026, 12, 6, 2, 59))).toEqual(local(2026, 11, 29, 3, 0));
    expect(lastSlot(week({ weekday: 'wed', time: '22:30' }), local(2026, 12, 5, 12))).toEqual(local(2026, 12, 2, 22, 30));
    expect(nextSlot(week({ weekday: 'wed', time: '22:30' }), local(2026, 12, 5, 12))).toEqual(local(2026, 12, 9, 22, 30));
    expect(lastSlot({ ...week(), every: 'day' }, local(2026, 12, 5, 2))).toEqual(local(2026, 12, 4, 3, 0));
    expect(lastSlot({ ...week(), every: 'off' }, local(2026, 12, 5))).toBeNull();
    expect(scheduleWords(week({ weekday: 'wed', time: '22:30' }))).toBe('every Wednesday at 22:30');
  });

  it('is due once a slot passed after the job was saved and after the last rehearsal; overdue after an hour', () => {
    const s = week();
    const saved = local(2026, 11, 20);
    expect(rehearsalDue(s, local(2026, 12, 6, 3, 30), saved, null)).toMatchObject({ dueSince: local(2026, 12, 6, 3).toISOString(), overdue: false });
    expect(rehearsalDue(s, local(2026, 12, 6, 4, 1), saved, null)).toMatchObject({ overdue: true });
    // A rehearsal since the slot (a person's counts too) answers it.
    expect(rehearsalDue(s, local(2026, 12, 6, 5), saved, local(2026, 12, 6, 3, 0))).toMatchObject({ dueSince: null, overdue: false, next: local(2026, 12, 13, 3).toISOString() });
    // A slot before the schedule was saved is not owed.
    expect(rehearsalDue(s, local(2026, 12, 6, 5), local(2026, 12, 6, 4), null)).toMatchObject({ dueSince: null });
    expect(rehearsalDue({ ...s, every: 'off' }, local(2026, 12, 6, 5), saved, null)).toEqual({ dueSince: null, overdue: false, next: null });
  });
});

const census = (users: Array<[string, number]>): RehearsalEvidence['census'] => ({ users: users.map(([user, messages]) => ({ user, messages })), error: null });

describe('the copy\'s mailboxes against the directory', () => {
  it('counts those unknown on the copy, case aside, and those the directory does not home on the source', () => {
    const c = compareMailboxes(['A@lab.test', 'b@lab.test', 'c@lab.test'], null, census([['a@lab.test', 3], ['b@lab.test', 0], ['x@lab.test', 1]]));
    expect(c).toEqual({ directory: 3, directoryError: null, onCopy: 3, withMail: 2, messages: 4, missing: ['c@lab.test'], missingCount: 1, extraCount: 1, censusError: null });
    expect(compareMailboxes(null, 'no password kept', census([['a@lab.test', 1]]))).toMatchObject({ directory: null, directoryError: 'no password kept', missingCount: 0 });
  });

  it('parses doveadm\'s tab format by its header, whatever the column order', () => {
    // As Dovecot 2.3 prints it (`doveadm -f tab mailbox status -A messages INBOX`).
    expect(parseCensus('Username\tmailbox\tmessages\nuser1@lab.test\tINBOX\t3\nuser2@lab.test\tINBOX\t0\n')).toEqual([{ user: 'user1@lab.test', messages: 3 }, { user: 'user2@lab.test', messages: 0 }]);
    expect(parseCensus('mailbox\tmessages\tusername\nINBOX\t7\tu@x\n')).toEqual([{ user: 'u@x', messages: 7 }]);
    expect(parseCensus('doveadm(u): Error: something\n')).toEqual([]);
  });
});

const test = (o: Partial<NonNullable<RehearsalEvidence['testMessage']>> = {}) => ({ to: 'a@lab.test', token: 'ab12', submittedAt: '2026-12-05T03:00:01.000Z', delivered: true, readBack: true, seconds: 0.8, error: null, ...o });

describe('the verdict', () => {
  const ok = { plan: { id: 'sha256:x', outcome: 'applied', error: null }, services: { ok: true, detail: 'dovecot, postfix answer' }, testMessage: test(), mailboxes: compareMailboxes(['a@lab.test'], null, census([['a@lab.test', 1]])) };
  it('passes only with the plan applied, the test message read back and every mailbox known', () => {
    expect(judge(ok)).toEqual({ outcome: 'passed', problems: [] });
    expect(judge({ ...ok, testMessage: test({ readBack: false, delivered: false, error: 'it did not arrive' }) })).toMatchObject({ outcome: 'failed', problems: [expect.stringContaining('it did not arrive')] });
    expect(judge({ ...ok, plan: { id: 'x', outcome: 'undone', error: 'the copy did not start' } })).toMatchObject({ outcome: 'failed', problems: ['the copy did not start'] });
    expect(judge({ ...ok, testMessage: null })).toMatchObject({ outcome: 'failed' });
    expect(judge({ ...ok, mailboxes: compareMailboxes(['a@lab.test', 'z@lab.test'], null, census([['a@lab.test', 1]])) })).toMatchObject({ outcome: 'warning', problems: [expect.stringContaining('1 of the 2 mailboxes')] });
    expect(judge({ ...ok, mailboxes: compareMailboxes(null, 'no account', census([['a@lab.test', 1]])) })).toMatchObject({ outcome: 'warning', problems: [expect.stringContaining('no account')] });
  });
});

/** A whole report, as a run builds it (the scheduler's test saves its own). */
function report() {
  const plan = rehearsalPlan(job, job.targets[0]!);
  const evidence: RehearsalEvidence = { at: '2026-12-05T03:00:04.000Z', host: 'MAIL2', point: null, services: { ok: true, detail: 'ok' }, firstMessage: null, testMessage: test(), census: census([['a@lab.test', 1]]) };
  return buildRehearsalReport(job, job.targets[0]!, plan, { planId: plan.id, title: plan.title, outcome: 'applied', steps: [] }, { evidence, error: null }, { addresses: ['a@lab.test'], error: null },
    { trigger: 'schedule', startedAt: new Date(), finishedAt: new Date(), chosen: false });
}

describe('the report', () => {
  const plan = rehearsalPlan(job, job.targets[0]!);
  const startedAt = new Date('2026-12-05T03:00:00.000Z');
  const point = `p0000000042-${Date.parse('2026-12-05T02:59:58.000Z')}`;
  const steps = plan.steps.map((_, i) => ({ index: i, where: 'MAIL2', action: `step ${i}`, status: 'applied' as const, output: `done ${i}\nlast line ${i}`, at: new Date(startedAt.getTime() + (i + 1) * 1500).toISOString(), ms: 1400 }));
  const result: PlanRunResult = { planId: plan.id, title: plan.title, outcome: 'applied', steps };
  const evidence: RehearsalEvidence = { at: '2026-12-05T03:00:04.000Z', host: 'MAIL2', point, services: { ok: true, detail: 'dovecot, postfix answer' }, firstMessage: { user: 'a@lab.test', exists: 3, subject: 'Hello <b>', error: null }, testMessage: test(), census: census([['a@lab.test', 3], ['b@lab.test', 0]]) };
  const r = buildRehearsalReport(job, job.targets[0]!, plan, result, { evidence, error: null }, { addresses: ['a@lab.test', 'b@lab.test'], error: null }, { trigger: 'schedule', startedAt, finishedAt: new Date('2026-12-05T03:00:10.000Z'), chosen: false });

  it('gives the point and its age, each step\'s duration, the time to service (to the services verified) and the verdict', () => {
    expect(r).toMatchObject({ outcome: 'passed', problems: [], trigger: 'schedule', target: 'MAIL2', point: { name: point, takenAt: '2026-12-05T02:59:58.000Z', ageSeconds: 2, chosen: false } });
    expect(r.steps.map((x) => x.seconds)).toEqual(plan.steps.map(() => 1.4));
    expect(r.steps[0]!.output).toBe('last line 0');
    // The services step (the third) was recorded 4.5 s after the start.
    expect(r.timeToServiceSeconds).toBe(4.5);
    expect(r.mailboxes).toMatchObject({ directory: 2, onCopy: 2, withMail: 1, missingCount: 0 });
  });

  it('renders as HTML with every value escaped, and is kept with the job, newest first', async () => {
    const html = rehearsalHtml(r);
    expect(html).toContain('data-outcome="passed"');
    expect(html).toContain('Mail &lt;HQ&gt;');
    expect(html).toContain('Hello &lt;b&gt;');
    expect(html).not.toContain('Hello <b>');
    expect(html).toMatch(/data-field="test-message"><th>Test message<\/th><td><span class="pass">delivered and read back over IMAP<\/span> in 0\.8 s/);
    const first = await saveRehearsalReport(job.id, r, base);
    const later = { ...r, startedAt: '2026-12-06T03:00:00.000Z', outcome: 'failed' as const };
    await saveRehearsalReport(job.id, later, base);
    expect(first).toMatch(/rehearsals\/2026-12-05T03-00-00-000Z-MAIL2\.json$/);
    expect(readFileSync(first.replace(/\.json$/, '.html'), 'utf8')).toBe(html);
    const all = await listRehearsalReports(job.id, base);
    expect(all.map((x) => [x.name, x.report.outcome])).toEqual([['2026-12-06T03-00-00-000Z-MAIL2', 'failed'], ['2026-12-05T03-00-00-000Z-MAIL2', 'passed']]);
    expect((await readRehearsalReport(job.id, 'latest', base)).startedAt).toBe('2026-12-06T03:00:00.000Z');
    await expect(readRehearsalReport(job.id, '../../etc/passwd', base)).rejects.toThrow(/not the name of a rehearsal report/);
  });
});

describe('the scheduler', () => {
  it('rehearses a saved job whose slot waits, once, and leaves a job without a schedule alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-sched-'));
    const save = (j: typeof job) => {
      mkdirSync(join(dir, 'jobs', j.id), { recursive: true });
      const f = join(dir, 'jobs', j.id, 'job.json');
      writeFileSync(f, JSON.stringify(j));
      // Saved two days ago, so yesterday's and today's 03:00 slots are owed.
      const t = new Date(Date.now() - 2 * 86400_000);
      utimesSync(f, t, t);
    };
    save(job);
    save({ ...job, id: '1b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b12', rehearsals: { every: 'off', weekday: 'sun', time: '03:00' } });
    const ran: string[] = [];
    let finish = () => undefined as void;
    const s = rehearsalScheduler(async (j, target) => {
      ran.push(`${j.id}:${target}`);
      await new Promise<void>((r) => { finish = r; });
      const r = { ...report(), startedAt: new Date().toISOString(), job: { id: j.id, name: j.name }, outcome: 'failed' as const };
      await saveRehearsalReport(j.id, r, dir);
      return r;
    }, { base: dir, everyMs: 3_600_000 });
    try {
      const first = s.tick();
      // A tick while the first run is still going starts nothing more for that job.
      await new Promise((r) => setTimeout(r, 50));
      expect(await s.tick()).toEqual([]);
      finish();
      expect(await first).toEqual([{ jobId: job.id, outcome: 'failed' }]);
      expect(ran).toEqual([`${job.id}:MAIL2`]);
      // Answered: nothing is due until the next slot.
      expect(await s.tick()).toEqual([]);
      expect(ran).toHaveLength(1);
    } finally {
      s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the rehearsal schedule across a daylight-saving change', () => {
  it('moves only the slot of the day the clocks change (Berlin, 29 March 2026: 02:00 → 03:00)', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { lastSlot, nextSlot } = await import(${JSON.stringify(new URL('../../shared/rehearsal-schedule.ts', import.meta.url).href)});
      const s = { every: 'day', weekday: 'sun', time: '02:30' };
      const iso = (d) => d && d.toISOString();
      console.log(JSON.stringify([iso(lastSlot(s, new Date('2026-03-29T01:10:00Z'))), iso(nextSlot(s, new Date('2026-03-29T01:10:00Z'))), iso(lastSlot(s, new Date('2026-03-30T01:00:00Z')))]));
    `], { encoding: 'utf8', env: { ...process.env, TZ: 'Europe/Berlin' } });
    expect(run.stderr).toBe('');
    // 03:10 local on the 29th: the day's 02:30 does not exist and falls at 03:30, still ahead; the last slot is the 28th at 02:30 (CET, 01:30 UTC).
    // The next is the 29th's, at 03:30 CEST (01:30 UTC); on the 30th the slot is 02:30 CEST (00:30 UTC) again.
    expect(JSON.parse(run.stdout)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
  });
});
