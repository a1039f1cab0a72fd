/**
 * The agent's figures for Prometheus, written as a text file for node_exporter's textfile
 * collector (the way a host's own figures reach Prometheus without another port to open).
 * The collector reads only Prometheus's text format (0.0.4), so that is what is written; the
 * names and units follow Prometheus's conventions (`_seconds`, `_bytes_total`, `_timestamp_seconds`).
 * Every series carries `job` (the job's name) and `host` (this host), so one Prometheus can
 * watch many jobs. The file is replaced whole (written beside it, then renamed), so a scrape
 * never reads half of it; its temporary name does not end in `.prom`, which the collector skips.
 */
import { closeSync, constants as fs, existsSync, lstatSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AgentState } from '../../shared/agent-state.ts';
import { parsePoint } from '../../shared/points.ts';

export const METRICS_FILE = 'failguard.prom';

/** A label value as the text format takes it: backslash, double quote and line feed escaped. */
export const promLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** A sample value as the text format takes it. */
const promValue = (n: number): string => (Number.isFinite(n) ? String(Math.round(n * 1000) / 1000) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

export interface MetricsInput {
  state: Pick<AgentState, 'host' | 'role' | 'version' | 'points' | 'targets' | 'received'>;
  jobName: string;
  now: number;
  /** Whether this host takes mail now (its admission answer); null on a host without a monitor. */
  serving: boolean | null;
  /** A standby that took over: it receives nothing, so it has no RPO of its own. */
  tookOver: boolean;
  thresholds?: { rpoWarnSeconds: number; rpoCriticalSeconds: number } | undefined;
}

interface Family { name: string; type: 'gauge' | 'counter'; help: string; samples: Array<[Record<string, string>, number]> }

/** The file's text: one family per figure, each sample labelled with the job and this host. */
export function metricsText(m: MetricsInput): string {
  const base = { job: m.jobName, host: m.state.host };
  const fam = (name: string, type: Family['type'], help: string): Family => ({ name, type, help, samples: [] });
  const info = fam('failguard_agent_info', 'gauge', 'The agent on this host: its role in the job and its version (always 1).');
  info.samples.push([{ ...base, role: m.state.role, version: m.state.version }, 1]);
  // An agent that stopped leaves its last file behind: this says how old it is (alert when it is not recent).
  const written = fam('failguard_metrics_timestamp_seconds', 'gauge', 'When the agent wrote this file (Unix time, seconds); an old value means the agent is not running.');
  written.samples.push([base, m.now / 1000]);
  const rpo = fam('failguard_rpo_seconds', 'gauge', 'Age of the newest consistency point this standby holds (its recovery point), in seconds.');
  const targetRpo = fam('failguard_target_rpo_seconds', 'gauge', 'Age of the newest point each standby has confirmed, as the source sees it, in seconds.');
  const thresholds = fam('failguard_rpo_threshold_seconds', 'gauge', 'The job\'s warning and critical ages for this standby\'s RPO, in seconds.');
  const lastSend = fam('failguard_last_send_timestamp_seconds', 'gauge', 'When the last send to each standby completed (Unix time, seconds).');
  const sentBytes = fam('failguard_sent_bytes_total', 'counter', 'Bytes sent to each standby on the wire (after compression).');
  const rawBytes = fam('failguard_sent_raw_bytes_total', 'counter', 'Bytes of btrfs send stream sent to each standby (before compression).');
  const sends = fam('failguard_sends_total', 'counter', 'Completed sends to each standby.');
  const fullSends = fam('failguard_full_sends_total', 'counter', 'Completed full sends (initial syncs and resyncs) to each standby.');
  const failing = fam('failguard_send_failing', 'gauge', '1 while sends to the standby fail (the last attempt ended in an error), else 0.');
  const points = fam('failguard_points', 'gauge', 'Consistency points held on this host (taken on the source, received on a standby).');
  const fenced = fam('failguard_fenced', 'gauge', '1 while this host refuses mail (fenced, or a standby), 0 while it takes mail.');
  const ageOf = (point: string | null) => {
    const at = point ? parsePoint(point)?.at : undefined;
    return at === undefined ? null : Math.max(0, (m.now - at) / 1000);
  };

  if (m.state.role === 'source') {
    points.samples.push([base, m.state.points.length]);
    for (const [name, t] of Object.entries(m.state.targets)) {
      const l = { ...base, target: name };
      const age = ageOf(t.lastPoint);
      if (age !== null) targetRpo.samples.push([l, age]);
      if (t.lastSend) lastSend.samples.push([l, t.lastSend.endedAt / 1000]);
      sentBytes.samples.push([l, t.bytesWire]);
      rawBytes.samples.push([l, t.bytesRaw]);
      sends.samples.push([l, t.sends]);
      fullSends.samples.push([l, t.fullSends]);
      failing.samples.push([l, t.state === 'error' ? 1 : 0]);
    }
  } else if (m.state.role === 'target') {
    points.samples.push([base, m.state.received.count]);
    const age = ageOf(m.state.received.newest);
    if (!m.tookOver && age !== null) rpo.samples.push([base, age]);
    if (m.thresholds) {
      thresholds.samples.push([{ ...base, level: 'warning' }, m.thresholds.rpoWarnSeconds], [{ ...base, level: 'critical' }, m.thresholds.rpoCriticalSeconds]);
    }
  }
  if (m.serving !== null) fenced.samples.push([base, m.serving ? 0 : 1]);

  const lines: string[] = [];
  for (const f of [info, written, rpo, thresholds, targetRpo, lastSend, sentBytes, rawBytes, sends, fullSends, failing, points, fenced]) {
    if (!f.samples.length) continue;
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const [labels, v] of f.samples) lines.push(`${f.name}{${Object.entries(labels).map(([k, x]) => `${k}="${promLabel(x)}"`).join(',')}} ${promValue(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the file into `dir` when that folder exists (node_exporter's textfile collector is
 * installed and reads it); false when it does not, so the caller can say so once. The agent runs
 * as root: it writes only into a real folder that only its owner, root, may change, and its
 * temporary file is created new under a random name, never through a link someone left there.
 */
export function writeMetrics(dir: string, text: string): boolean {
  if (!existsSync(dir)) return false;
  checkFolder(dir);
  const tmp = join(dir, `.${METRICS_FILE}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(tmp, fs.O_WRONLY | fs.O_CREAT | fs.O_EXCL | fs.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, METRICS_FILE));
  return true;
}

/** Only a real folder that only root may change (the agent runs as root; anyone else could swap what it writes or deletes). */
function checkFolder(dir: string): void {
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder (a link or a file); give the textfile collector's folder itself`);
  if (st.uid !== (process.getuid?.() ?? st.uid) || (st.mode & 0o022) !== 0) throw new Error(`${dir} may be changed by other users than root, so Failguard's agent (root) does not write there; make it root's alone (chmod go-w) or choose another folder`);
}

/**
 * The folder the file was last written to is remembered in the agent's state folder: when the job's
 * folder changes (or metrics are turned off), the file left in the old one is deleted, so Prometheus
 * never goes on scraping figures that stopped moving. Returns the folder it deleted from, if any.
 */
export function forgetOldMetrics(stateDir: string, dir: string | null): string | null {
  const record = join(stateDir, 'metrics-dir');
  let old: string | null = null;
  try { old = readFileSync(record, 'utf8').trim() || null; } catch { /* never written */ }
  if (old === dir) return null;
  let removed: string | null = null;
  if (old && existsSync(join(old, METRICS_FILE))) {
    try {
      checkFolder(old);
      // unlink never follows a link at the file's own name.
      unlinkSync(join(old, METRICS_FILE));
      removed = old;
    } catch {
      // A folder not root's alone is left as it is, and remembered, so a later start tries again.
      return null;
    }
  }
  writeFileSync(record, dir ?? '', { mode: 0o600 });
  return removed;
}
