/**
 * The back end behind the contract: one handler per method. Electron IPC, the HTTP
 * server and tests all call these same functions; requests arrive untrusted and are
 * validated here.
 */
import type { MethodName } from '../../shared/contract.ts';
import type { TransportKind } from '../../shared/app.ts';
import type { StepId } from '../../shared/wizard.ts';
import { Operations } from './operations.ts';
import { VERSION } from './version.ts';
import { discover } from '../directory/discover.ts';
import type { FixPlan } from '../../shared/plan.ts';
import { catalog } from '../preflight/run.ts';
import { renderReportService, runPreflightService } from '../preflight/service.ts';
import { OfferedPlans } from '../plans/offered.ts';
import { parseRequest } from './validate.ts';
import { findInterrupted } from '../plans/journal.ts';
import { journalDir } from './data-dir.ts';
import { protectHandlers } from './protect-handlers.ts';
import { failoverHandlers } from './failover-handlers.ts';
import { rehearsalHandlers } from './rehearsal-handlers.ts';
import { asOperation } from './as-operation.ts';
import { JobSecrets } from '../jobs/job-secrets.ts';

import type { CallContext, Handlers } from './handler-types.ts';

export type { CallContext, Handlers };

export interface BackendOptions {
  transport: TransportKind;
  /** Where saved jobs' secrets are kept (absent: nowhere; they are asked each time). */
  secrets?: JobSecrets;
}

/** Steps whose features exist; each feature issue adds its step here when it lands. */
export const BUILT_STEPS: StepId[] = ['servers', 'preflight', 'options', 'protect'];

export function createHandlers(opts: BackendOptions, operations = new Operations()): Handlers {
  // The plans this back end offered: consent names their ids.
  const offered = new OfferedPlans<FixPlan>();
  const secrets = opts.secrets ?? new JobSecrets(null);
  return {
    'app.info': async () => ({ name: 'Failguard', version: VERSION, transport: opts.transport, node: process.versions.node, builtSteps: [...BUILT_STEPS], interrupted: findInterrupted(journalDir()).map((r) => r.summary), secrets: { kept: secrets.kept, how: secrets.how } }),
    'directory.discover': (r, ctx) => asOperation(operations, r.operationId, ctx, (o) => discover({ ...r, credentials: secrets.credentials(r.credentials, r.target) }, { signal: o.signal, onProgress: o.onProgress })),
    'preflight.rules': async () => catalog(),
    'preflight.run': (r, ctx) => asOperation(operations, r.operationId, ctx, (o) => runPreflightService({ ...secrets.hosts(r), ...(r.directory ? { directory: secrets.directory(r.directory) } : {}) }, { offered, signal: o.signal, onProgress: (stage) => o.onProgress(stage) })),
    'preflight.report': async (r) => renderReportService(r.report, r.format),
    'operation.cancel': async (r) => ({ cancelled: operations.cancel(r.operationId) }),
    ...protectHandlers(operations, secrets),
    ...failoverHandlers(operations, secrets),
    ...rehearsalHandlers(),
  };
}

/** Calls a handler by a name that came from outside (IPC channel, URL path). */
export async function dispatch(handlers: Handlers, method: MethodName, request: unknown, ctx: CallContext): Promise<unknown> {
  const handler = handlers[method] as (req: unknown, ctx: CallContext) => Promise<unknown>;
  return handler(parseRequest(method, request), ctx);
}
