/**
 * Point-in-time recovery, apart from the lab: the daily tier of the retention, the time a person
 * gives and the point it picks, what stays aside, the holds that keep points from pruning (an
 * unreadable list holds everything), the space estimate, and the plans that bring up a chosen point.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pointAtOrBefore, pointName, pointsToKeep } from '../../shared/points.ts';
import { choiceWords, choosePoint, parseAtTime, pointRows, type PointRow } from '../../shared/point-choice.ts';
import { retentionEstimate } from '../../shared/retention-estimate.ts';
import { addHolds, prunableUnder, readHolds, releaseHolds } from '../../agent/src/holds.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { failoverPlan } from '../../electron/failover/plan.ts';
import { rehearsalPlan } from '../../electron/failover/rehearsal.ts';
import { prunableAfter } from '../../agent/src/follow.ts';
import { UserError } from '../../shared/errors.ts';
import { unprotectPlan } from '../../electron/provision/unprotect.ts';
import { releasePlan } from '../../electron/failover/release.ts';

const H = 3_600_000;
const D = 24 * H;
const t0 = Date.UTC(2026, 10, 1);

describe('the retention\'s daily tier', () => {
  it('keeps the newest point of each day for the days asked, besides the newest N and the hourly ones', () => {
    const pts = Array.from({ length: 10 * 24 }, (_, i) => pointName(i + 1, t0 + i * H + 60_000)); // one an hour for ten days
    const now = t0 + 10 * D;
    const keep = pointsToKeep(pts, { last: 3, hourlyForHours: 0, dailyForDays: 4 }, now, new Set());
    const days = [...keep].filter((p) => !pts.slice(-3).includes(p)).map((p) => new Date(Number(p.split('-')[1])).toISOString());
    // The newest of each of the last four days (the newest day's is among the newest three).
    expect(days.sort()).toEqual(['2026-11-07T23:01:00.000Z', '2026-11-08T23:01:00.000Z', '2026-11-09T23:01:00.000Z']);
    expect(pointsToKeep(pts, { last: 3, hourlyForHours: 0, dailyForDays: 0 }, now, new Set()).size).toBe(3);
    // Without the field (an older agent configuration) there is no daily tier.
    expect(pointsToKeep(pts, { last: 3, hourlyForHours: 0 }, now, new Set()).size).toBe(3);
  });
});

describe('a point chosen by time', () => {
  const NOW = t0 + 2 * D;
  const rows: PointRow[] = [0, 60, 120, 180].map((min, i) => ({ point: pointName(i + 1, t0 + min * 60_000), at: t0 + min * 60_000, bytes: 1000 * (i + 1), held: null }));

  it('reads ISO times and spans before now, and refuses anything else, or the future, in one sentence', () => {
    expect(parseAtTime('2026-11-01T01:00Z', NOW)).toBe(t0 + H);
    expect(parseAtTime('2026-11-01 01:00:30+00:00', NOW)).toBe(t0 + H + 30_000);
    expect(parseAtTime('-15m', NOW)).toBe(NOW - 15 * 60_000);
    expect(parseAtTime('-2h', NOW)).toBe(NOW - 2 * H);
    expect(parseAtTime('-1d', NOW)).toBe(NOW - D);
    for (const bad of ['yesterday', '15m', '2026-11-01', '-3w', '$(reboot)', '2026-13-01T00:00Z', '2026-02-30T10:00', '-999999999d']) {
      expect(() => parseAtTime(bad, NOW), bad).toThrow(UserError);
    }
    expect(() => parseAtTime('2027-01-01T00:00Z', NOW)).toThrow(/in the future/);
  });

  it('picks the newest point at or before the time, and says what stays aside', () => {
    const c = choosePoint('MAIL2', rows, t0 + 90 * 60_000);
    expect(c).toEqual({ host: 'MAIL2', point: rows[1]!.point, at: rows[1]!.at, newer: 2, newerBytes: 7000, newestAt: rows[3]!.at });
    expect(choosePoint('MAIL2', rows, rows[2]!.at).point).toBe(rows[2]!.point);
    expect(choosePoint('MAIL2', rows, null)).toMatchObject({ point: rows[3]!.point, newer: 0, newerBytes: 0 });
    expect(choosePoint('MAIL2', [...rows.slice(0, 2), { ...rows[2]!, bytes: null }, rows[3]!], t0).newerBytes).toBeNull();
    expect(pointAtOrBefore(rows.map((r) => r.point), t0 + 90 * 60_000)?.name).toBe(rows[1]!.point);
    expect(() => choosePoint('MAIL2', rows, t0 - 1)).toThrow(/MAIL2 holds no point taken at or before 2026-10-31T23:59:59.999Z; its oldest is from 2026-11-01T00:00:00.000Z/);
    expect(() => choosePoint('MAIL2', [], null)).toThrow(/holds no complete point yet/);
    expect(choiceWords(c, true)).toMatch(/^MAIL2 brings up the point taken 2026-11-01T01:00:00.000Z \(p0000000002-\d+\); its 2 newer points, up to 2026-11-01T03:00:00.000Z \(about 7.0 KB of changes\), are set aside: kept and held/);
    expect(choiceWords(c, false)).toMatch(/stay as they are/);
  });

  it('reads a standby\'s state into rows: oldest first, with sizes and holds', () => {
    const [a, b] = [pointName(2, t0 + 5), pointName(1, t0)];
    const r = pointRows({ points: [a, b], pointBytes: { [a]: 42 }, held: [{ point: b, reason: 'why', at: 1 }] });
    expect(r).toEqual([{ point: b, at: t0, bytes: null, held: { point: b, reason: 'why', at: 1 } }, { point: a, at: t0 + 5, bytes: 42, held: null }]);
  });
});

describe('held points', () => {
  const p = (i: number) => pointName(i, t0 + i);

  it('are kept from pruning until released; holding twice keeps the first reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-holds-'));
    expect(readHolds(dir)).toEqual([]);
    expect(addHolds(dir, [p(1), p(2), 'not-a-point'], 'first', 5)).toEqual([p(1), p(2)]);
    expect(addHolds(dir, [p(2), p(3)], 'second', 6)).toEqual([p(3)]);
    expect(readHolds(dir)).toEqual([{ point: p(1), reason: 'first', at: 5 }, { point: p(2), reason: 'first', at: 5 }, { point: p(3), reason: 'second', at: 6 }]);
    const may = prunableUnder(readHolds(dir));
    expect([p(1), p(2), p(3), p(4)].map(may)).toEqual([false, false, false, true]);
    // Held points survive the retention however old.
    const keep = pointsToKeep([p(1), p(2), p(3), p(4), p(5), p(6)], { last: 2, hourlyForHours: 0, dailyForDays: 0 }, t0 + 10, new Set(readHolds(dir)!.map((h) => h.point)));
    expect([...keep].sort()).toEqual([p(1), p(2), p(3), p(5), p(6)]);
    expect(releaseHolds(dir, [p(2)])).toBe(1);
    expect(readHolds(dir)!.map((h) => h.point)).toEqual([p(1), p(3)]);
    expect(releaseHolds(dir, 'all')).toBe(2);
    expect(readHolds(dir)).toEqual([]);
  });

  it('are changed one writer at a time: a lock left by a crashed writer is taken over after 30 s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-holds-'));
    writeFileSync(join(dir, 'holds.json.lock'), '');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(join(dir, 'holds.json.lock'), old, old);
    expect(addHolds(dir, [p(1)], 'after a crash')).toEqual([p(1)]);
    expect(existsSync(join(dir, 'holds.json.lock'))).toBe(false);
  });

  it('hold everything when their list cannot be read, and refuse changes until it is put right', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-holds-'));
    writeFileSync(join(dir, 'holds.json'), '[{"point": "p00');
    expect(readHolds(dir)).toBeNull();
    expect([p(1), p(9)].map(prunableUnder(null))).toEqual([false, false]);
    expect(() => addHolds(dir, [p(1)], 'x')).toThrow(/cannot be read/);
    expect(() => releaseHolds(dir, 'all')).toThrow(/cannot be read/);
  });

  it('a standby that took over at an older point prunes only the points it took since, never the newer ones it had received', () => {
    // Received 1…5, failed over to 3 (5 was the newest then): its own points start at 6.
    const may = prunableAfter(p(5));
    expect([p(3), p(4), p(5), p(6), p(7)].map(may)).toEqual([false, false, false, true, true]);
  });
});

describe('the space the retention takes', () => {
  it('is what changed over the window it keeps, at the rate of the newest points', () => {
    const rows: PointRow[] = Array.from({ length: 61 }, (_, i) => ({ point: pointName(i + 1, t0 + i * 1000), at: t0 + i * 1000, bytes: 10_000, held: null }));
    const e = retentionEstimate(rows, { intervalSeconds: 1, retention: { last: 60, hourlyForHours: 24, dailyForDays: 7 } });
    expect(e.spanSeconds).toBe(7 * 86400);
    expect(e.bytesPerSecond).toBeCloseTo(10_000, 6);
    expect(e.bytes).toBe(10_000 * 7 * 86400);
    expect(e.sentence).toMatch(/reaches back 7 days; at the recent rate of change \(36.0 MB an hour\) that takes at most about 6.0 GB beyond the mail itself\.$/);
    const unknown = retentionEstimate(rows.map((r) => ({ ...r, bytes: null })), { intervalSeconds: 1, retention: { last: 60, hourlyForHours: 0, dailyForDays: 0 } });
    expect([unknown.bytes, unknown.spanSeconds]).toEqual([null, 60]);
    expect(unknown.sentence).toMatch(/not known yet/);
  });
});

describe('plans that bring up a chosen point', () => {
  const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' },
    targets: [{ name: 'MAIL2', address: '198.18.0.12' }], witness: { name: 'witness', address: '198.18.0.13' } }));
  const topo = { discoveredAt: '', directory: { dcHost: 'dc1', defaultNamingContext: 'DC=lab,DC=test', configurationNamingContext: '', dnsDomain: 'lab.test' }, organisation: { name: 'Lab', dn: 'CN=Lab', legacyExchangeDN: '/o=Lab' },
    adminGroups: ['AG'], servers: ['MAIL1', 'MAIL2'].map((name) => ({ name, dn: `CN=${name}`, fqdn: null, adminGroup: 'AG', site: null, version: { product: 'Exchange 2010' as const, major: 14, minor: 3, build: 0, revision: 0, text: 'Version 14.3' }, roles: ['mailbox' as const], dag: null, legacyExchangeDN: `/o=Lab/ou=AG/cn=Configuration/cn=Servers/cn=${name}` })),
    storageGroups: [], databases: [], dags: [] };
  const point = pointName(42, t0 + 123);

  it('failover: promotes exactly that point, says so with its time, and is another plan than the newest point\'s', () => {
    const at = failoverPlan(job, topo, job.targets[0]!, [], false, [], point);
    const newest = failoverPlan(job, topo, job.targets[0]!, []);
    const step = at.steps.find((s) => s.kind === 'command' && / promote /.test(s.command))!;
    expect(step.kind === 'command' && step.command.split(' ').slice(2)).toEqual(['promote', '/etc/failguard/agent.json', point]);
    expect(step.description).toContain(`the point taken ${new Date(t0 + 123).toISOString()} (${point})`);
    expect(at.id).not.toBe(newest.id);
    // A planned switchover to a point: the source's last point is shipped first (held with the other newer ones), then the chosen one comes up.
    const planned = failoverPlan(job, topo, job.targets[0]!, [], true, [], point).steps.flatMap((s) => (s.kind === 'command' ? [s.command.split(' ').slice(2, 4).concat(s.command.split(' ').slice(4)).join(' ')] : []));
    expect(planned.slice(1, 4).map((c) => c.split(' ')[0])).toEqual(['handover', 'final-point', 'lease']);
    expect(planned[4]).toBe(`promote /etc/failguard/agent.json ${point}`);
    expect(() => failoverPlan(job, topo, job.targets[0]!, [], false, [], "p1'; reboot #")).toThrow(/is not a point's name/);
  });

  it('rehearsal: a copy of that point, holding nothing', () => {
    const r = rehearsalPlan(job, job.targets[0]!, point);
    const step = r.steps[0]!;
    expect(step.kind === 'command' && step.command.split(' ').slice(2)).toEqual(['promote', '/etc/failguard/agent.json', point, '--rehearsal']);
    const newest = rehearsalPlan(job, job.targets[0]!).steps[0]!;
    expect(newest.kind === 'command' && newest.command.split(' ').slice(2)).toEqual(['promote', '/etc/failguard/agent.json', '--rehearsal']);
  });
});

describe('releasing held points (the CLI\'s release, the dashboard\'s button)', () => {
  const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }] }));
  const point = pointName(42, t0 + 123);
  const args = (p: ReturnType<typeof releasePlan>) => p.steps.map((x) => (x.kind === 'command' ? x.command.split(' ').slice(2) : []));

  it('is one step on that standby, naming every point it lets go, or all', () => {
    expect(args(releasePlan(job, job.targets[0]!, 'all'))).toEqual([['release', '/etc/failguard/agent.json', '--all']]);
    expect(args(releasePlan(job, job.targets[0]!, [point]))).toEqual([['release', '/etc/failguard/agent.json', point]]);
    expect(releasePlan(job, job.targets[0]!, 'all').steps[0]).toMatchObject({ host: 'MAIL2' });
  });

  it('refuses what is not a point\'s name, and nothing named, before any plan', () => {
    expect(() => releasePlan(job, job.targets[0]!, ["p1'; reboot #"])).toThrow(/is not a point's name/);
    expect(() => releasePlan(job, job.targets[0]!, [])).toThrow(UserError);
  });
});

describe('unprotecting a job with held points', () => {
  const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' },
    targets: [{ name: 'MAIL2', address: '198.18.0.12' }], witness: { name: 'witness', address: '198.18.0.13' } }));
  const removal = (purge: boolean, host: string) => unprotectPlan(job, purge).steps.find((st) => st.kind === 'command' && st.host === host && /^remove the agent/.test(st.description))!;

  it('keeps a standby\'s list of held points while its points stay, and says so; a purge deletes both and says held ones go too', () => {
    const kept = removal(false, 'MAIL2');
    expect(kept.kind === 'command' && kept.command).toContain("-not -name 'holds.json'");
    expect(kept.description).toContain('the list of held points stays with the points');
    const purged = removal(true, 'MAIL2');
    expect(purged.kind === 'command' && purged.command).not.toContain('holds.json');
    expect(unprotectPlan(job, true).steps.find((st) => st.kind === 'command' && st.host === 'MAIL2' && /^delete every consistency point/.test(st.description))?.description).toContain('held ones too');
    // The metrics file goes too (node_exporter would show the job's last figures for ever), after the agent stopped; not on the witness.
    const steps = unprotectPlan(job, false).steps.flatMap((st) => (st.kind === 'command' ? [[st.host, st.command] as const] : []));
    const stop = steps.findIndex(([h, c]) => h === 'MAIL2' && / stop$/.test(c));
    const rm = steps.findIndex(([h, c]) => h === 'MAIL2' && c === "rm -f '/var/lib/prometheus/node-exporter/failguard.prom'");
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(rm).toBeGreaterThan(stop);
    expect(steps.filter(([h, c]) => h === 'witness' && c.includes('failguard.prom'))).toEqual([]);
  });
});

