/**
 * The agent's metrics file for node_exporter's textfile collector: each figure from the state
 * as it is, labelled with the job and the host (hostile names escaped so the file still parses),
 * written whole or not at all, and configured from the job (a folder, or none).
 */
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetOldMetrics, METRICS_FILE, metricsText, promLabel, writeMetrics, type MetricsInput } from '../../agent/src/metrics.ts';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { agentConfig } from '../../electron/provision/agent-config.ts';
import { agentConfigSchema } from '../../agent/src/config.ts';
import { reloadDecision } from '../../agent/src/reload.ts';

const NOW = 1_800_000_000_000;
const point = (seq: number, agoMs: number) => `p${String(seq).padStart(10, '0')}-${NOW - agoMs}`;
const send = (ms: number) => ({ point: point(9, 0), parent: null, startedAt: ms - 500, endedAt: ms, bytesRaw: 10, bytesWire: 5 });
const target = (o: Partial<MetricsInput['state']['targets'][string]> = {}) => ({ state: 'idle' as const, lastPoint: point(9, 2500), lastPointAt: NOW - 2500, lastParent: null, sends: 41, fullSends: 1, bytesRaw: 9_000_000, bytesWire: 3_000_000, current: null, lastError: null, limitBytesPerSecond: null, lastSend: send(NOW - 2000), lastFullSend: null, ...o });
const HOSTILE = 'Mail "prod" \\ north\nsecond line';

const source: MetricsInput = {
  state: { host: 'MAIL1', role: 'source', version: '0.1.0', points: [point(8, 3000), point(9, 2500)], targets: { MAIL2: target(), MAIL3: target({ state: 'error', lastPoint: point(3, 400_000), sends: 3, bytesWire: 7, bytesRaw: 7, lastSend: null }) }, received: { count: 0, newest: null, newestAt: null, lastFrom: null } },
  jobName: HOSTILE, now: NOW, serving: true, tookOver: false,
};
const standby: MetricsInput = {
  state: { host: 'MAIL2', role: 'target', version: '0.1.0', points: [], targets: {}, received: { count: 12, newest: point(9, 4200), newestAt: NOW - 4200, lastFrom: 'MAIL1' } },
  jobName: 'Lab', now: NOW, serving: false, tookOver: false, thresholds: { rpoWarnSeconds: 30, rpoCriticalSeconds: 300 },
};

/** The samples of a text-format file: name, labels (unescaped) and value, as a scraper reads them. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(l);
    if (!m) throw new Error(`not a sample line: ${l}`);
    const labels: Record<string, string> = {};
    for (const x of m[2]!.matchAll(/([a-z]+)="((?:[^"\\]|\\.)*)"/g)) labels[x[1]!] = x[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    return { name: m[1]!, labels, value: Number(m[3]) };
  });
}
const value = (text: string, name: string, labels: Record<string, string> = {}) =>
  samples(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);

describe('the metrics file', () => {
  it('gives the source\'s figures per standby, each labelled with the job and the host', () => {
    const t = metricsText(source);
    expect(value(t, 'failguard_target_rpo_seconds', { target: 'MAIL2' })).toEqual([2.5]);
    expect(value(t, 'failguard_target_rpo_seconds', { target: 'MAIL3' })).toEqual([400]);
    expect(value(t, 'failguard_last_send_timestamp_seconds', { target: 'MAIL2' })).toEqual([(NOW - 2000) / 1000]);
    expect(value(t, 'failguard_last_send_timestamp_seconds', { target: 'MAIL3' })).toEqual([]);
    expect(value(t, 'failguard_sent_bytes_total', { target: 'MAIL2' })).toEqual([3_000_000]);
    expect(value(t, 'failguard_sent_raw_bytes_total', { target: 'MAIL2' })).toEqual([9_000_000]);
    expect([value(t, 'failguard_sends_total', { target: 'MAIL3' }), value(t, 'failguard_full_sends_total', { target: 'MAIL2' })]).toEqual([[3], [1]]);
    expect([value(t, 'failguard_send_failing', { target: 'MAIL2' }), value(t, 'failguard_send_failing', { target: 'MAIL3' })]).toEqual([[0], [1]]);
    expect([value(t, 'failguard_points'), value(t, 'failguard_fenced'), value(t, 'failguard_metrics_timestamp_seconds')]).toEqual([[2], [0], [NOW / 1000]]);
    // A source has no RPO of its own.
    expect(value(t, 'failguard_rpo_seconds')).toEqual([]);
    const all = samples(t);
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((s) => s.labels.job !== HOSTILE || s.labels.host !== 'MAIL1')).toEqual([]);
    expect(t).toMatch(/^# TYPE failguard_sent_bytes_total counter$/m);
    expect(t).toMatch(/^# TYPE failguard_target_rpo_seconds gauge$/m);
  });

  it('gives a standby its RPO, its thresholds and its fence; none once it took over', () => {
    const t = metricsText(standby);
    expect(value(t, 'failguard_rpo_seconds', { job: 'Lab', host: 'MAIL2' })).toEqual([4.2]);
    expect([value(t, 'failguard_rpo_threshold_seconds', { level: 'warning' }), value(t, 'failguard_rpo_threshold_seconds', { level: 'critical' })]).toEqual([[30], [300]]);
    expect([value(t, 'failguard_points'), value(t, 'failguard_fenced')]).toEqual([[12], [1]]);
    expect(value(t, 'failguard_sent_bytes_total')).toEqual([]);
    const after = metricsText({ ...standby, tookOver: true, serving: true });
    expect([value(after, 'failguard_rpo_seconds'), value(after, 'failguard_fenced')]).toEqual([[], [0]]);
    expect(value(metricsText({ ...standby, state: { ...standby.state, received: { count: 0, newest: null, newestAt: null, lastFrom: null } } }), 'failguard_rpo_seconds')).toEqual([]);
  });

  it('escapes a label value so it reads back as it was, on one line', () => {
    expect(promLabel(HOSTILE)).toBe('Mail \\"prod\\" \\\\ north\\nsecond line');
    expect(metricsText(source).split('\n').filter((l) => l.startsWith('failguard_')).every((l) => /\} -?[\d.e+]+$/.test(l))).toBe(true);
  });

  // Prometheus's own checker, where Debian's prometheus package put it (the lab installs it).
  const promtool = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
  it.skipIf(!promtool)('is a file Prometheus\'s own checker accepts', () => {
    for (const m of [source, standby]) {
      const r = spawnSync(promtool, ['check', 'metrics'], { input: metricsText(m), encoding: 'utf8' });
      expect([r.status, r.stderr.trim()]).toEqual([0, '']);
    }
  });

  it('is written whole into a folder that exists, and not at all where none does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-metrics-'));
    expect(writeMetrics(join(dir, 'absent'), 'x 1\n')).toBe(false);
    expect(existsSync(join(dir, 'absent'))).toBe(false);
    expect(writeMetrics(dir, metricsText(standby))).toBe(true);
    expect(writeMetrics(dir, metricsText(source))).toBe(true);
    expect(readdirSync(dir)).toEqual([METRICS_FILE]);
    expect(readFileSync(join(dir, METRICS_FILE), 'utf8')).toBe(metricsText(source));
    // A folder others may change (a planted link could point root's write anywhere) is refused, and nothing is written there.
    const shared = mkdtempSync(join(tmpdir(), 'fg-metrics-shared-'));
    chmodSync(shared, 0o777);
    expect(() => writeMetrics(shared, 'x 1\n')).toThrow(/may be changed by other users than root/);
    expect(readdirSync(shared)).toEqual([]);
    symlinkSync(dir, join(shared, 'link'));
    expect(() => writeMetrics(join(shared, 'link'), 'x 1\n')).toThrow(/is not a folder/);
  });

  it('is deleted from the old folder when the job\'s folder changes or metrics are turned off, and from nowhere else', () => {
    const state = mkdtempSync(join(tmpdir(), 'fg-metrics-state-'));
    const a = mkdtempSync(join(tmpdir(), 'fg-metrics-a-'));
    const b = mkdtempSync(join(tmpdir(), 'fg-metrics-b-'));
    expect(forgetOldMetrics(state, a)).toBeNull();
    writeMetrics(a, 'x 1\n');
    // The same folder again: nothing to forget.
    expect(forgetOldMetrics(state, a)).toBeNull();
    expect(readdirSync(a)).toEqual([METRICS_FILE]);
    expect(forgetOldMetrics(state, b)).toBe(a);
    expect(readdirSync(a)).toEqual([]);
    writeMetrics(b, 'x 1\n');
    // A folder others may change is left alone (the agent does not act in it), and metrics turned off forget it.
    chmodSync(b, 0o777);
    expect(forgetOldMetrics(state, null)).toBeNull();
    expect(readdirSync(b)).toEqual([METRICS_FILE]);
    chmodSync(b, 0o755);
    writeFileSync(join(state, 'metrics-dir'), b);
    expect(forgetOldMetrics(state, null)).toBe(b);
    expect(readdirSync(b)).toEqual([]);
  });
});

describe('the metrics folder in the job', () => {
  const base = { version: 1, id: '6f1c2a3e-0b4d-4e5f-8a9b-1c2d3e4f5a6b', name: 'J', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }], witness: { name: 'witness', address: '198.18.0.13' } };
  const configs = (extra: object) => { const job = parseJob(JSON.stringify({ ...base, ...extra })); return ['source', 'target', 'witness'].map((role) => agentConfig(job, { role: role as 'source', name: role === 'source' ? 'MAIL1' : role === 'target' ? 'MAIL2' : 'witness' })); };

  it('is Debian\'s node_exporter folder by default, for the source and the standbys, not the witness', () => {
    expect(configs({}).map((c) => c.metrics?.textfileDir ?? null)).toEqual(['/var/lib/prometheus/node-exporter', '/var/lib/prometheus/node-exporter', null]);
    expect(configs({ metrics: { textfileDir: '/srv/metrics' } }).map((c) => c.metrics?.textfileDir ?? null)).toEqual(['/srv/metrics', '/srv/metrics', null]);
    expect(configs({ metrics: { textfileDir: null } }).map((c) => c.metrics ?? null)).toEqual([null, null, null]);
  });

  it('refuses a folder that is not a plain absolute path, naming the field', () => {
    for (const bad of ['relative/dir', '/var/lib/../etc', '/var/lib/$(touch x)', '/var/"q"']) {
      expect(() => parseJob(JSON.stringify({ ...base, metrics: { textfileDir: bad } }))).toThrow(/metrics\.textfileDir/);
    }
  });

  it('is changed in place on a running agent', () => {
    const [a] = configs({});
    const [b] = configs({ metrics: { textfileDir: '/srv/metrics' } });
    const d = reloadDecision(agentConfigSchema.parse(a), agentConfigSchema.parse(b));
    expect(d).toEqual({ restart: false, changes: ['metrics folder /var/lib/prometheus/node-exporter → /srv/metrics'] });
  });
});
