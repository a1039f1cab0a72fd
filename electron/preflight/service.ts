/** The pre-flight service behind the contract: run (with consented fixes), and render reports. */
import type { PreflightRunRequest, PreflightRunResult, PreflightReport, ReportFormat } from '../../shared/preflight.ts';
import { SshPool } from '../hosts/ssh-pool.ts';
import { runPreflight } from './run.ts';
import { directoryWriterFor } from './directory-writer.ts';
import { buildReport } from '../reports/build-report.ts';
import { renderReport } from '../reports/write.ts';
import { allHosts } from './facts.ts';
import { isIP } from 'node:net';
import type { HostTarget } from '../../shared/hosts.ts';
import { resolve4 } from '../directory/dns-client.ts';

/** Host names (mail1.lab.test) are resolved through the directory's DNS server when one was given. */
async function withAddresses(req: PreflightRunRequest): Promise<PreflightRunRequest> {
  const dns = req.directory?.target.dnsServer;
  const resolve = async (h: HostTarget): Promise<HostTarget> => (isIP(h.address) ? h : { ...h, address: (await resolve4(h.address, dns).catch(() => []))[0] ?? h.address });
  return { ...req, source: await resolve(req.source), targets: await Promise.all(req.targets.map(resolve)), ...(req.witness ? { witness: await resolve(req.witness) } : {}) };
}

export async function runPreflightService(request: PreflightRunRequest, o: { signal?: AbortSignal; onProgress?: (stage: string) => void }): Promise<PreflightRunResult> {
  const started = new Date();
  const req = await withAddresses(request);
  const pool = new SshPool({ pins: req.pins, acceptUnknown: req.acceptHostKeys ?? [] });
  const writer = req.directory && req.fixes?.length ? await directoryWriterFor(req.directory) : undefined;
  try {
    // Only the plans the user reviewed are applied, matched by rule and summary (plans are rebuilt from fresh facts).
    const consented = req.fixes ?? [];
    const run = await runPreflight(req, { pool, signal: o.signal, onProgress: o.onProgress, directoryWriter: writer,
      fix: consented.length ? (plans) => plans.filter((p) => consented.some((c) => c.ruleId === p.ruleId && c.summary === p.summary)) : undefined });
    const hosts = allHosts(run.facts);
    const seen = hosts.flatMap((h) => (h.reach.ok ? [{ host: h.name, address: h.address, fingerprint: h.reach.hostKey }] : []));
    const unknown = hosts.flatMap((h) => {
      if (h.reach.ok || h.reach.code !== 'host-key-unknown') return [];
      const fp = /fingerprint is (SHA256:\S+?)\./.exec(h.reach.error)?.[1];
      return fp ? [{ host: h.name, address: h.address, fingerprint: fp }] : [];
    });
    return { report: buildReport(req, run, started), plans: run.plans, unknownHostKeys: unknown, hostKeys: seen };
  } finally {
    await writer?.close();
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
