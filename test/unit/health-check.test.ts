/**
 * `status --check` as a monitoring system reads it: the state and exit code per the plugin
 * convention, the thresholds (a standby's own over the job's), and performance data that parses.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { checkExitCode, healthCheck, thresholdsOf } from '../../shared/health-check.ts';
import type { ReplicationView, TargetView } from '../../shared/replication.ts';

const job = parseJob(JSON.stringify({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' },
  targets: [{ name: 'MAIL2', address: '198.18.0.12' }, { name: 'MAIL3', address: '198.18.0.14', options: { health: { rpoWarnSeconds: 3600, rpoCriticalSeconds: 7200 } } }] }));
const target = (name: string, over: Partial<TargetView>): TargetView => ({ target: name, phase: 'replicating', initialSync: null, bytesPerSecond: null, compressionRatio: null, rpoSeconds: 2, newestPoint: 'p1', points: 12, held: 0, tripwire: null, limitBytesPerSecond: null, lastError: null, monitor: null, ...over });
const view = (...targets: TargetView[]): ReplicationView => ({ job: 'Lab', at: 0, hosts: [], targets, events: [] });
/** Performance data as a plugin parser reads it: label=value[uom];warn;crit;min;max. */
const perf = (line: string) => Object.fromEntries(line.split(' | ')[1]!.split(' ').map((p) => { const [k, v] = p.split('='); const [value, warn, crit, min] = v!.split(';'); return [k!.replace(/'/g, ''), { value, warn, crit, min }]; }));

describe('status --check', () => {
  it('defaults: warning at 30 s, critical at 5 min; a standby\'s own thresholds win', () => {
    expect(thresholdsOf(job, 'MAIL2')).toEqual({ warn: 30, crit: 300 });
    expect(thresholdsOf(job, 'MAIL3')).toEqual({ warn: 3600, crit: 7200 });
    expect(() => parseJob(JSON.stringify({ ...JSON.parse(JSON.stringify(job)), health: { rpoWarnSeconds: 60, rpoCriticalSeconds: 60 } }))).toThrow(/rpoCriticalSeconds/);
  });

  it.each([
    ['both current', [2, 5], 'OK', 0],
    ['MAIL2 past its warning', [45, 5], 'WARNING', 1],
    ['MAIL2 past its critical age', [301, 5], 'CRITICAL', 2],
    ['MAIL3 20 min old, under its own longer thresholds', [2, 1200], 'OK', 0],
    ['MAIL3 past its own critical age', [2, 7300], 'CRITICAL', 2],
  ] as const)('%s: %s', (_what, [a, b], state, code) => {
    const c = healthCheck(job, view(target('MAIL2', { rpoSeconds: a }), target('MAIL3', { rpoSeconds: b })));
    expect([c.state, checkExitCode(c.state)]).toEqual([state, code]);
    expect(c.line.startsWith(`FAILGUARD ${state} - Lab: `)).toBe(true);
    expect(c.line.split('\n')).toHaveLength(1);
    const p = perf(c.line);
    expect(p.rpo_MAIL2).toEqual({ value: `${a.toFixed(1)}s`, warn: '30', crit: '300', min: '0' });
    expect(p.rpo_MAIL3).toEqual({ value: `${b.toFixed(1)}s`, warn: '3600', crit: '7200', min: '0' });
    expect(p.points_MAIL2?.value).toBe('12');
  });

  it('a failing send is a warning until the standby is late, unreadable agents unknown, no point yet a warning; the worst one wins', () => {
    const of = (t: Partial<TargetView>) => healthCheck(job, view(target('MAIL2', t), target('MAIL3', {}))).state;
    // A send that fails: a warning while the standby is current (a blip), critical once it is late past the critical age.
    expect(of({ phase: 'error', lastError: 'no space left on MAIL2' })).toBe('WARNING');
    expect(of({ phase: 'error', lastError: 'no space left on MAIL2', rpoSeconds: 400 })).toBe('CRITICAL');
    expect(healthCheck(job, view(target('MAIL2', { phase: 'error', lastError: 'no space left on MAIL2' }), target('MAIL3', {}))).line).toMatch(/MAIL2: newest point 2 s old; sends fail: no space left on MAIL2 \|/);
    expect(of({ phase: 'no-agent', rpoSeconds: null })).toBe('UNKNOWN');
    expect(of({ phase: 'initial-sync', rpoSeconds: null, initialSync: { share: 0.4, etaSeconds: 60, totalBytes: 1e9 } })).toBe('WARNING');
    expect(healthCheck(job, view(target('MAIL2', { phase: 'no-agent', rpoSeconds: null }), target('MAIL3', { rpoSeconds: 8000 }))).state).toBe('CRITICAL');
    expect(healthCheck(job, view(target('MAIL2', { phase: 'no-agent', rpoSeconds: null }), target('MAIL3', { rpoSeconds: 4000 }))).state).toBe('UNKNOWN');
    // An unknown value is U in the performance data, as the convention says.
    expect(perf(healthCheck(job, view(target('MAIL2', { phase: 'no-agent', rpoSeconds: null }), target('MAIL3', {}))).line).rpo_MAIL2?.value).toBe('U');
    // A reason with a newline stays on the one line.
    expect(healthCheck(job, view(target('MAIL2', { phase: 'error', lastError: 'a\nb' }), target('MAIL3', {}))).line.split('\n')).toHaveLength(1);
  });
});
