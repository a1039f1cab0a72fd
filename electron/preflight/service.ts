/**
 * The pre-flight service behind the contract and the CLI: check the request before any
 * work, finish runs the journal shows unfinished, run (with consented fixes on the plan
 * engine), remember the plans offered, and render reports.
 */
import type { PreflightRunRequest, PreflightRunResult, PreflightReport, RecoveredRun, ReportFormat } from '../../shared/preflight.ts';
import type { FixPlan } from '../../shared/plan.ts';
import { SshPool } from '../hosts/ssh-pool.ts';
import { runPreflight } from './run.ts';
import { buildReport } from '../reports/build-report.ts';
import { renderReport } from '../reports/write.ts';
import { allHosts } from './facts.ts';
import { prepareRequest } from './prepare.ts';
import { consentTo, consentToAll } from './consent.ts';
import { OfferedPlans } from '../plans/offered.ts';
import { planContext } from '../plans/context.ts';
import { recoverInterrupted } from '../plans/recover.ts';
import { preflightOrigin } from '../plans/journal.ts';
import { withJobLock } from '../plans/job-lock.ts';
import { journalDir } from '../backend/data-dir.ts';

export interface PreflightServiceOptions {
  signal?: AbortSignal;
  onProgress?: (stage: string) => void;
  /** The plans offered so far; consent can name only these. */
  offered: OfferedPlans<FixPlan>;
  /** `failguard preflight --fix`: consent to every plan this run offers. */
  consentToAll?: boolean;
  journalDir?: string;
}

export async function runPreflightService(request: PreflightRunRequest, o: PreflightServiceOptions): Promise<PreflightRunResult> {
  const started = new Date();
  // Refused before any work: an id never offered, a host twice, a name that does not resolve, a key that is not a private key.
  const consented = o.offered.lookup(request.consent ?? []);
  const req = await prepareRequest(request);
  const applying = consented.length > 0 || !!o.consentToAll;
  const pool = new SshPool({ pins: req.pins, acceptUnknown: req.acceptHostKeys ?? [] });
  const ctx = planContext({ hosts: [req.source, ...req.targets, ...(req.witness ? [req.witness] : [])], pool, ...(req.directory ? { directory: req.directory } : {}), ...(o.signal ? { signal: o.signal } : {}), ...(req.tsigSecrets ? { tsigSecrets: req.tsigSecrets } : {}) });
  const dir = o.journalDir ?? journalDir();
  const progress = { ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) };
  const origin = preflightOrigin([request.source.name, ...request.targets.map((t) => t.name), ...(request.witness ? [request.witness.name] : [])]);
  // Fixes on these servers run one pre-flight at a time (another could resume this one's open journal); a run that only reads takes no lock.
  const locked = <T>(fn: () => Promise<T>) => (applying ? withJobLock(origin, 'fixes of a pre-flight on these servers', fn) : fn());
  try {
    return await locked(async () => {
      // A run cut short earlier is finished first when this run applies changes; otherwise it is only reported.
      const recovered: RecoveredRun[] = await recoverInterrupted(dir, applying ? ctx : null, { ...progress, mode: req.interrupted ?? 'resume', origin });
      const run = await runPreflight(req, { pool, ...progress, fixes: { ctx, journalDir: dir },
        ...(o.consentToAll ? { consent: consentToAll } : consented.length ? { consent: consentTo(consented) } : {}) });
      o.offered.offer(run.plans);
      const hosts = allHosts(run.facts);
      // Each key with the port it was seen on (a pin is for one host and port).
      const asked = [request.source, ...request.targets, ...(request.witness ? [request.witness] : [])];
      const portOf = (name: string) => asked.find((h) => h.name === name)?.port ?? 22;
      const seen = hosts.flatMap((h) => (h.reach.ok ? [{ host: h.name, address: h.address, port: portOf(h.name), fingerprint: h.reach.hostKey }] : []));
      const unknown = hosts.flatMap((h) => {
        if (h.reach.ok || h.reach.code !== 'host-key-unknown') return [];
        const fp = /fingerprint is (SHA256:\S+?)\./.exec(h.reach.error)?.[1];
        return fp ? [{ host: h.name, address: h.address, fingerprint: fp }] : [];
      });
      const covered = [{ role: 'source' as const, h: request.source }, ...request.targets.map((h) => ({ role: 'target' as const, h })), ...(request.witness ? [{ role: 'witness' as const, h: request.witness }] : [])]
        .map(({ role, h }) => ({ role, name: h.name, address: h.address }));
      return { report: buildReport(req, run, started), plans: run.plans, unknownHostKeys: unknown, hostKeys: seen, recovered, covered };
    });
  } finally {
    await ctx.close();
    await pool.closeAll();
  }
}

const MIME: Record<ReportFormat, string> = { html: 'text/html', pdf: 'application/pdf', json: 'application/json', junit: 'application/xml' };

export async function renderReportService(report: PreflightReport, format: ReportFormat) {
  const body = await renderReport(report, format);
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const ext = format === 'junit' ? 'xml' : format;
  return { fileName: `failguard-preflight-${stamp}.${ext}`, mimeType: MIME[format], content: Buffer.isBuffer(body) ? body.toString('base64') : body, encoding: Buffer.isBuffer(body) ? 'base64' as const : 'utf8' as const };
}
