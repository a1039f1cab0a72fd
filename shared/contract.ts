/**
 * The contract between the UI and the back end: every method (request → response) and
 * every event (pushed from the back end) with its types. Both transports (Electron IPC
 * and the HTTP + SSE of `failguard serve`) and both sides' wrappers are typed from this
 * one map, so a change here shows everywhere it matters.
 */
import type { AppInfo } from './app.ts';
import type { OperationProgress } from './operation.ts';
import type { DiscoverRequest } from './directory.ts';
import type { Topology } from './topology.ts';
import type { PreflightReport, PreflightRunRequest, PreflightRunResult, ReportFormat, RuleInfo } from './preflight.ts';
import type { FailoverApplyRequest, FailoverPlanRequest, ProtectApplyRequest, ProtectApplyResult, ProtectPlanRequest, ProtectPlanResult, SavedJob } from './protect.ts';
import type { Plan, PlanRunResult } from './plan.ts';
import type { ReplicationView } from './replication.ts';
import type { StandbyPoints } from './point-choice.ts';
import type { RehearsalSummary } from './rehearsal-report.ts';

export interface Methods {
  /** What is running: version, transport, which wizard steps are built. */
  'app.info': { request: Record<string, never>; response: AppInfo };
  /** Finds a DC, signs in over TLS and reads the Exchange organisation; progress under operationId. */
  'directory.discover': { request: DiscoverRequest; response: Topology };
  /** The pre-flight rule catalog. */
  'preflight.rules': { request: Record<string, never>; response: RuleInfo[] };
  /** Runs every rule (and, with consent, the chosen fixes, then checks again); progress under operationId. */
  'preflight.run': { request: PreflightRunRequest; response: PreflightRunResult };
  /** Renders a report; PDF comes back base64-encoded. */
  'preflight.report': { request: { report: PreflightReport; format: ReportFormat }; response: { fileName: string; mimeType: string; content: string; encoding: 'utf8' | 'base64' } };
  /** Step 4: checks the job and returns the provisioning plan, changing nothing; progress under operationId. */
  'protect.plan': { request: ProtectPlanRequest; response: ProtectPlanResult };
  /** Runs the pre-flight again, then applies the reviewed plan (by id) step by step; saves the job on this computer. */
  'protect.apply': { request: ProtectApplyRequest; response: ProtectApplyResult };
  /** The jobs saved on this computer, newest first. */
  'jobs.list': { request: Record<string, never>; response: SavedJob[] };
  /** Notes that a saved job was opened (dashboard or reconfigure): the start page lists the last one first. */
  'jobs.opened': { request: { jobId: string }; response: Record<string, never> };
  /** A saved job's live state, read from its agents over SSH. */
  'jobs.status': { request: { jobId: string }; response: ReplicationView };
  /** The points each standby of a saved job holds (time, size, held), read from its agents over SSH. */
  'jobs.points': { request: { jobId: string }; response: StandbyPoints[] };
  /** The rehearsal reports kept with a saved job, newest first. */
  'jobs.rehearsals': { request: { jobId: string }; response: RehearsalSummary[] };
  /** One kept rehearsal report rendered (by its name from the list); PDF comes back base64-encoded. */
  'jobs.rehearsalReport': { request: { jobId: string; name: string; format: 'json' | 'html' | 'pdf' }; response: { fileName: string; mimeType: string; content: string; encoding: 'utf8' | 'base64' } };
  /** The plan of a failover, planned switchover, failback or rehearsal of a saved job, changing nothing; progress under operationId. */
  'failover.plan': { request: FailoverPlanRequest; response: { plan: Plan; notes?: string[] } };
  /** Applies that plan (by id, as reviewed and confirmed); each step's state reported as it runs. */
  'failover.apply': { request: FailoverApplyRequest; response: { plan: Plan; results: PlanRunResult[] } };
  /** Asks a long operation to stop; resolves once the request is recorded. */
  'operation.cancel': { request: { operationId: string }; response: { cancelled: boolean } };
}

export interface Events {
  /** Progress of a long operation (discovery, pre-flight, provisioning, ...). */
  'operation.progress': OperationProgress;
}

export type MethodName = keyof Methods;
export type EventName = keyof Events;
export type RequestOf<M extends MethodName> = Methods[M]['request'];
export type ResponseOf<M extends MethodName> = Methods[M]['response'];

/**
 * Every method and event name, as values. `satisfies` makes the compiler refuse a list
 * that misses a name or invents one, so the preload and the HTTP router cannot drift.
 */
export const METHOD_NAMES = ['app.info', 'directory.discover', 'failover.apply', 'failover.plan', 'jobs.list', 'jobs.opened', 'jobs.points', 'jobs.rehearsalReport', 'jobs.rehearsals', 'jobs.status', 'operation.cancel', 'preflight.report', 'preflight.rules', 'preflight.run', 'protect.apply', 'protect.plan'] as const satisfies readonly MethodName[];
export const EVENT_NAMES = ['operation.progress'] as const satisfies readonly EventName[];
type Missing<All, Listed> = Exclude<All, Listed>;
const _allMethodsListed: Missing<MethodName, (typeof METHOD_NAMES)[number]> extends never ? true : never = true;
const _allEventsListed: Missing<EventName, (typeof EVENT_NAMES)[number]> extends never ? true : never = true;
void _allMethodsListed;
void _allEventsListed;

/** What a failed call carries across any transport: a stable code and one plain sentence. */
export interface ContractError {
  code: string;
  message: string;
  /** The form field the error concerns, so the UI can show it there. */
  field?: string;
  /** Structured details for the UI (for example the certificate to ask about). */
  details?: unknown;
}

/** The back end as the UI sees it: one typed call, one typed subscription. */
export interface Backend {
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  /** Returns a function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

export function isMethodName(x: string): x is MethodName {
  return (METHOD_NAMES as readonly string[]).includes(x);
}
