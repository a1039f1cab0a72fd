/** One plan run per job across processes: the lock file, its holder's sentence, stale locks, and the runs that take it. */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { isJobBusy, lockDir, withJobLock } from '../../electron/plans/job-lock.ts';
import { UserError } from '../../shared/errors.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { runJobPlan } from '../../electron/provision/service.ts';
import { rehearsalPlan } from '../../electron/failover/rehearsal.ts';
import { rehearseCommand } from '../../electron/cli/rehearse-command.ts';
import { rehearsalScheduler } from '../../electron/jobs/rehearsal-scheduler.ts';
import { saveJob } from '../../electron/jobs/job-store.ts';
import { capture } from './capture-output.ts';
import { userInfo } from 'node:os';
import type { RehearsalReport } from '../../shared/rehearsal-report.ts';
import { lastScheduledStart, noteScheduledStart } from '../../electron/jobs/rehearsal-slots.ts';
import { runPreflightService } from '../../electron/preflight/service.ts';
import { OfferedPlans } from '../../electron/plans/offered.ts';
import { preflightOrigin } from '../../electron/plans/journal.ts';

const root = mkdtempSync(join(tmpdir(), 'fg-lock-unit-'));
const dir = join(root, 'locks');
// This run's own state folder (its default locks and rehearsal slots); the holders below inherit it.
process.env.FAILGUARD_STATE_DIR = join(root, 'state');
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const children: ChildProcess[] = [];
afterEach(() => { for (const c of children.splice(0)) c.kill('SIGKILL'); });

/** Another process that takes the job's lock and keeps it until killed; resolves once it holds it. */
async function holder(jobId: string, lockFolder?: string): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['--input-type=module', '-e', `
    const { withJobLock } = await import(${JSON.stringify(new URL('../../electron/plans/job-lock.ts', import.meta.url).href)});
    await withJobLock(${JSON.stringify(jobId)}, 'failover to MAIL2', async () => { console.log('held'); await new Promise(() => setInterval(() => {}, 1000)); }${lockFolder ? `, { dir: ${JSON.stringify(lockFolder)} }` : ''});
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  const [line] = await once(c.stdout!, 'data') as [Buffer];
  expect(line.toString().trim()).toBe('held');
  return c;
}

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(UserError);
  expect((e as UserError).code).toBe('job-busy');
  return (e as UserError).details as { pid: number; what: string };
};

describe('the job run lock', () => {
  it('refuses a second run of the job in the same process, but not the work of the run that holds it, nor another job', async () => {
    let release = () => undefined as void;
    const first = withJobLock('job-a', 'a scheduled rehearsal', async () => {
      // The holder's own nested plan run (rehearse --if-due runs the plan engine) is not refused by itself.
      const nested = await withJobLock('job-a', 'rehearsal', async () => 'nested ran', { dir });
      await new Promise<void>((r) => { release = r; });
      return nested;
    }, { dir });
    await new Promise((r) => setTimeout(r, 20));
    const h = await refusal(withJobLock('job-a', 'failover to MAIL2', async () => 'must not run', { dir }));
    expect(h).toMatchObject({ pid: process.pid, what: 'a scheduled rehearsal' });
    expect(await withJobLock('job-b', 'protect', async () => 'other job', { dir })).toBe('other job');
    release();
    expect(await first).toBe('nested ran');
    expect(readdirSync(dir)).toEqual([]);
    expect(await withJobLock('job-a', 'failover to MAIL2', async () => 'now free', { dir })).toBe('now free');
  });

  it('is released when the run throws', async () => {
    const file = join(dir, 'job-job-c.lock');
    await expect(withJobLock('job-c', 'protect', async () => { expect(existsSync(file)).toBe(true); throw new Error('step failed'); }, { dir })).rejects.toThrow('step failed');
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a run while another process holds the job, names that process, and takes over once it is killed', async () => {
    const c = await holder('job-d', dir);
    const h = await refusal(withJobLock('job-d', 'rehearsal', async () => 'must not run', { dir }));
    expect(h).toMatchObject({ pid: c.pid, what: 'failover to MAIL2' });
    c.kill('SIGKILL');
    await once(c, 'exit');
    // Its lock file stays behind (a kill runs no clean-up): stale, and taken over.
    expect(existsSync(join(dir, 'job-job-d.lock'))).toBe(true);
    expect(await withJobLock('job-d', 'rehearsal', async () => 'ran after the kill', { dir })).toBe('ran after the kill');
  });

  it('takes over a lock whose PID now belongs to another process (its start time differs), and one left empty by a crash', async () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'job-job-e.lock');
    writeFileSync(file, JSON.stringify({ pid: process.pid, start: 'not-this-process', what: 'failover', at: '2026-12-01T00:00:00.000Z', token: 't' }));
    if (process.platform === 'linux') expect(await withJobLock('job-e', 'rehearsal', async () => 'reused pid', { dir })).toBe('reused pid');
    // An empty file is a holder still writing for an instant (busy), and a crashed one after ten seconds (stale).
    writeFileSync(file, '');
    await refusal(withJobLock('job-e', 'rehearsal', async () => 'must not run', { dir }));
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    expect(await withJobLock('job-e', 'rehearsal', async () => 'after a crash', { dir })).toBe('after a crash');
  });

  it('refuses a lock folder others may write, or a link in its place', async () => {
    if (process.getuid === undefined) return;
    const open = join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    await expect(withJobLock('job-f', 'protect', async () => 'x', { dir: open })).rejects.toMatchObject({ code: 'lock-dir' });
    const link = join(root, 'link');
    symlinkSync(dir, link);
    await expect(withJobLock('job-f', 'protect', async () => 'x', { dir: link })).rejects.toMatchObject({ code: 'lock-dir' });
  });

  it('lives in the user\'s own state folder, from the account whatever HOME or the session says (cron has neither)', () => {
    expect(lockDir()).toBe(join(root, 'state', 'locks'));
    const was = { state: process.env.FAILGUARD_STATE_DIR, home: process.env.HOME, xdg: process.env.XDG_RUNTIME_DIR };
    try {
      delete process.env.FAILGUARD_STATE_DIR;
      process.env.HOME = '/nowhere';
      process.env.XDG_RUNTIME_DIR = '/run/user/4242';
      if (process.platform !== 'win32') expect(lockDir()).toBe(join(userInfo().homedir, '.local', 'state', 'failguard', 'locks'));
    } finally {
      process.env.FAILGUARD_STATE_DIR = was.state;
      if (was.home === undefined) delete process.env.HOME; else process.env.HOME = was.home;
      if (was.xdg === undefined) delete process.env.XDG_RUNTIME_DIR; else process.env.XDG_RUNTIME_DIR = was.xdg;
    }
  });

  it('a stale lock raced for by six processes at once goes to one at a time, never two', async () => {
    const race = join(root, 'race');
    mkdirSync(race, { recursive: true, mode: 0o700 });
    const dead = spawn(process.execPath, ['-e', '']);
    await once(dead, 'exit');
    writeFileSync(join(race, 'job-job-r.lock'), JSON.stringify({ pid: dead.pid, start: null, what: 'failover', at: '2026-12-01T00:00:00.000Z', token: 'old' }));
    const racers = Array.from({ length: 6 }, () => spawn(process.execPath, ['--input-type=module', '-e', `
      const { withJobLock } = await import(${JSON.stringify(new URL('../../electron/plans/job-lock.ts', import.meta.url).href)});
      try {
        const got = await withJobLock('job-r', 'rehearsal', async () => { const t0 = Date.now(); await new Promise((r) => setTimeout(r, 150)); return [t0, Date.now()]; }, { dir: ${JSON.stringify(race)} });
        console.log(JSON.stringify({ held: got }));
      } catch (e) { console.log(JSON.stringify({ refused: e.code })); }
    `], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const outs = await Promise.all(racers.map(async (c) => { let o = ''; c.stdout!.on('data', (d: Buffer) => (o += d)); await once(c, 'exit'); return JSON.parse(o) as { held?: [number, number]; refused?: string }; }));
    const held = outs.flatMap((o) => (o.held ? [o.held] : [])).sort((a, b) => a[0] - b[0]);
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(outs.filter((o) => !o.held).every((o) => o.refused === 'job-busy')).toBe(true);
    expect(outs.filter((o) => !o.held).length + held.length).toBe(6);
    for (let i = 1; i < held.length; i++) expect(held[i]![0]).toBeGreaterThanOrEqual(held[i - 1]![1]);
    expect(readdirSync(race)).toEqual([]);
  });
});

describe('the runs that take it', () => {
  const job = parseJob(JSON.stringify({ version: 1, id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', name: 'Mail HQ', source: { name: 'MAIL1', address: '198.18.0.11' },
    targets: [{ name: 'MAIL2', address: '198.18.0.12' }], rehearsals: { every: 'day', time: '00:00' } }));

  it('a job plan (the engine\'s one way in) is refused before any connection while another process runs the job', async () => {
    await holder(job.id);
    const plan = rehearsalPlan(job, job.targets[0]!, null);
    const h = await refusal(runJobPlan(job, plan, plan.id, { dataDir: join(root, 'data') }));
    expect(h.what).toBe('failover to MAIL2');
    expect(existsSync(join(root, 'data', 'journal'))).toBe(false);
  });

  it('rehearse --if-due leaves a due rehearsal to the next look (exit 0) while another process runs the job', async () => {
    await holder(job.id);
    const file = join(root, 'job.json');
    writeFileSync(file, JSON.stringify(job));
    const out = capture();
    expect(await rehearseCommand({ job: file, ifDue: true })).toBe(0);
    expect(out.out.join('')).toContain(`"failover to MAIL2"`);
  });

  it('the app\'s schedule skips a job another process runs, and runs nothing for it', async () => {
    const base = join(root, 'jobs-base');
    await saveJob({ ...job, rehearsals: { every: 'day', weekday: 'sun', time: '00:00' } }, base);
    const c = await holder(job.id);
    const ran: string[] = [];
    const s = rehearsalScheduler(async (j) => { ran.push(j.id); return { outcome: 'passed' } as RehearsalReport; }, { base, everyMs: 3_600_000 });
    try {
      // A day later, so that the slot is owed whatever the hour of the test.
      const later = new Date(Date.now() + 86_400_000);
      expect(await s.tick(later)).toEqual([]);
      expect(ran).toEqual([]);
      // Once the other run is over, the slot is answered, once.
      c.kill('SIGKILL');
      await once(c, 'exit');
      expect(await s.tick(later)).toEqual([{ jobId: job.id, outcome: 'passed' }]);
      expect(ran).toEqual([job.id]);
      expect(await s.tick(later)).toEqual([]);
    } finally {
      s.stop();
    }
  });
});

describe('pre-flight fixes', () => {
  it('are refused while another process applies fixes on the same servers (in any order of names)', async () => {
    const host = (name: string, address: string) => ({ name, address, auth: { kind: 'password' as const, user: 'root', password: 'x' } });
    const request = { source: host('MAIL1', '198.18.0.11'), targets: [host('MAIL2', '198.18.0.12')] };
    await holder(preflightOrigin(['mail2', 'MAIL1']));
    const journals = join(root, 'preflight-journal');
    const h = await refusal(runPreflightService(request as never, { offered: new OfferedPlans(), consentToAll: true, journalDir: journals }));
    expect(h.what).toBe('failover to MAIL2');
    expect(existsSync(journals)).toBe(false);
  });
});

describe('a slot answered by the app', () => {
  it('is not rehearsed again by cron\'s --if-due, whose reports are in another data folder', async () => {
    const job = parseJob(JSON.stringify({ version: 1, id: '3f2e1d0c-9b8a-4765-8432-10fedcba9876', name: 'Mail Branch', source: { name: 'MAIL1', address: '198.18.0.11' },
      targets: [{ name: 'MAIL2', address: '198.18.0.12' }], rehearsals: { every: 'day', time: '00:00' } }));
    const file = join(root, 'branch.json');
    writeFileSync(file, JSON.stringify(job));
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(file, twoDaysAgo, twoDaysAgo);
    expect(lastScheduledStart(job.id)).toBeNull();
    noteScheduledStart(job.id, new Date());
    const out = capture();
    expect(await rehearseCommand({ job: file, ifDue: true })).toBe(0);
    expect(out.out.join('')).toMatch(/^No rehearsal is due \(every day at 00:00; the next at /);
  });
});

it('isJobBusy tells the refusal from other errors', () => {
  expect(isJobBusy(new UserError('job-busy', 'x'))).toBe(true);
  expect(isJobBusy(new UserError('plan-changed', 'x'))).toBe(false);
  expect(isJobBusy(new Error('x'))).toBe(false);
});
