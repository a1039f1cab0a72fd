/**
 * The back end behind the contract: one handler per method. Electron IPC, the HTTP
 * server and tests all call these same functions; requests arrive untrusted and are
 * validated here.
 */
import type { EventName, Events, MethodName, RequestOf, ResponseOf } from '../../shared/contract.ts';
import type { TransportKind } from '../../shared/app.ts';
import type { StepId } from '../../shared/wizard.ts';
import { Operations } from './operations.ts';
import { UserError } from './errors.ts';
import { VERSION } from './version.ts';
import { discover } from '../directory/discover.ts';
import type { DiscoverRequest } from '../../shared/directory.ts';
import type { PreflightRunRequest } from '../../shared/preflight.ts';
import { catalog } from '../preflight/run.ts';
import { renderReportService, runPreflightService } from '../preflight/service.ts';

export interface CallContext {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

export type Handlers = { [M in MethodName]: (request: RequestOf<M>, ctx: CallContext) => Promise<ResponseOf<M>> };

export interface BackendOptions {
  transport: TransportKind;
}

/** Steps whose features exist; each feature issue adds its step here when it lands. */
export const BUILT_STEPS: StepId[] = ['servers', 'preflight'];

function requireString(req: unknown, key: string): string {
  const v = (req as Record<string, unknown> | null)?.[key];
  if (typeof v !== 'string' || v.length === 0) throw new UserError('bad-request', `The request needs "${key}" as text.`, { field: key });
  return v;
}

function requireObject<T>(req: unknown, keys: string[]): T {
  for (const k of keys) {
    const v = (req as Record<string, unknown> | null)?.[k];
    if (typeof v !== 'object' || v === null) throw new UserError('bad-request', `The request needs "${k}".`, { field: k });
  }
  return req as T;
}

export function createHandlers(opts: BackendOptions, operations = new Operations()): Handlers {
  return {
    'app.info': async () => ({ name: 'Failguard', version: VERSION, transport: opts.transport, node: process.versions.node, builtSteps: [...BUILT_STEPS] }),
    'directory.discover': async (req, ctx) => {
      const operationId = requireString(req, 'operationId');
      const r = requireObject<DiscoverRequest>(req, ['target', 'credentials']);
      const op = operations.start(operationId);
      const progress = (stage: string, done: number, total: number | null, finished = false) =>
        ctx.emit('operation.progress', { operationId, stage, done, total, finished });
      try {
        return await discover(r, { signal: op.signal, onProgress: progress });
      } finally {
        progress('Finished', 0, null, true);
        op.end();
      }
    },
    'preflight.rules': async () => catalog(),
    'preflight.run': async (req, ctx) => {
      const operationId = requireString(req, 'operationId');
      const r = requireObject<PreflightRunRequest>(req, ['source']);
      if (!Array.isArray(r.targets) || r.targets.length === 0) throw new UserError('bad-request', 'Choose at least one target.', { field: 'targets' });
      const op = operations.start(operationId);
      let step = 0;
      try {
        return await runPreflightService({ ...r, pins: Array.isArray(r.pins) ? r.pins : [] }, { signal: op.signal, onProgress: (stage) => ctx.emit('operation.progress', { operationId, stage, done: ++step, total: null, finished: false }) });
      } finally {
        ctx.emit('operation.progress', { operationId, stage: 'Finished', done: step, total: step, finished: true });
        op.end();
      }
    },
    'preflight.report': async (req) => {
      const r = requireObject<{ report: never; format: 'html' }>(req, ['report']);
      if (!['html', 'pdf', 'json', 'junit'].includes(r.format)) throw new UserError('bad-request', 'Choose a report format: html, pdf, json or junit.', { field: 'format' });
      return renderReportService(r.report, r.format);
    },
    'operation.cancel': async (req) => ({ cancelled: operations.cancel(requireString(req, 'operationId')) }),
  };
}

/** Calls a handler by a name that came from outside (IPC channel, URL path). */
export async function dispatch(handlers: Handlers, method: MethodName, request: unknown, ctx: CallContext): Promise<unknown> {
  const handler = handlers[method] as (req: unknown, ctx: CallContext) => Promise<unknown>;
  return handler(request ?? {}, ctx);
}
