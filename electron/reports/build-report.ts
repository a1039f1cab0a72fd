/** The pre-flight report object every format is written from. Secrets never enter it. */
import { hostname } from 'node:os';
import { foldOutcomes, type PreflightReport, type PreflightRequest } from '../../shared/preflight.ts';
import type { PreflightRun } from '../preflight/run.ts';
import { catalog } from '../preflight/run.ts';
import { VERSION } from '../backend/version.ts';

export function buildReport(req: PreflightRequest, run: PreflightRun, startedAt: Date, accepted: PreflightReport['acceptedWarnings'] = []): PreflightReport {
  const fold = foldOutcomes(run.findings);
  return {
    schema: 'failguard.preflight/1',
    tool: { name: 'Failguard', version: VERSION },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: {
      source: `${req.source.name} (${req.source.address})`,
      targets: req.targets.map((t) => `${t.name} (${t.address})`),
      witness: req.witness ? `${req.witness.name} (${req.witness.address})` : null,
      directory: req.directory ? (req.directory.target.kind === 'domain' ? req.directory.target.domain : req.directory.target.url) : null,
      controller: hostname(),
    },
    rules: catalog(),
    findings: run.findings,
    fixes: run.fixes,
    acceptedWarnings: accepted,
    summary: fold.counts,
    worst: fold.worst,
  };
}
