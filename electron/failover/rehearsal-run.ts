/**
 * A rehearsal run as evidence: the rehearsal plan on the one plan engine, then its report —
 * the point used and its age, each step's duration, the time to service, the test message the
 * agent delivered on the copy and read back over IMAP, and the copy's mailboxes set against
 * those the directory homes on the source. The report is kept with the job (JSON and HTML).
 */
import { hostname } from 'node:os';
import { EqualityFilter } from 'ldapts';
import type { Job, JobTarget } from '../../shared/job.ts';
import type { Plan, PlanRunResult } from '../../shared/plan.ts';
import { parsePoint } from '../../shared/points.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';
import { compareMailboxes, judge, rehearsalEvidenceSchema, type RehearsalEvidence, type RehearsalReport, type RehearsalTrigger } from '../../shared/rehearsal-report.ts';
import { agentCommand } from '../provision/host-layout.ts';
import { hostTargets, runJobPlan, type ProvisionOptions } from '../provision/service.ts';
import { SshPool } from '../hosts/ssh-pool.ts';
import { discover } from '../directory/discover.ts';
import { openSession } from '../directory/ldap-session.ts';
import { readRootDse } from '../directory/exchange-reader.ts';
import { VERSION } from '../backend/version.ts';
import { rehearsalPlan } from './rehearsal.ts';
import type { DirectoryAccess } from './plan-now.ts';
import { saveRehearsalReport } from '../reports/rehearsal-store.ts';

export interface RehearsalRunOptions extends ProvisionOptions {
  point?: string | null;
  trigger: RehearsalTrigger;
  /** To count the source's mailboxes in the directory (absent: the report says it was not read). */
  mailboxDirectory?: DirectoryAccess | null;
  /** Where the job's reports are kept (absent: the data folder's). */
  dataDir?: string;
}

/** The step that starts the services on the copy (the time to service ends with it): the plan's `serve` command. */
const serveStepOf = (plan: Plan) => plan.steps.findIndex((s) => s.kind === 'command' && s.command.split(' ')[2] === 'serve');

/** The evidence the agent wrote for this run (one written before the run began is an earlier run's, and is not used). */
async function readEvidence(job: Job, target: JobTarget, since: Date, sshSecret?: string): Promise<{ evidence: RehearsalEvidence | null; error: string | null }> {
  const pool = new SshPool({ pins: job.hostKeys, acceptUnknown: [] });
  try {
    const host = hostTargets(job, sshSecret).find((h) => h.name === target.name)!;
    const r = await (await pool.get(host)).exec(agentCommand('rehearsal-evidence'), { timeoutMs: 30_000 });
    if (r.code !== 0) return { evidence: null, error: r.stderr.trim().replace(/^failguard-agent: /, '') || `exit ${r.code}` };
    const e = rehearsalEvidenceSchema.parse(JSON.parse(r.stdout));
    return Date.parse(e.at) >= since.getTime() - 1000 ? { evidence: e, error: null } : { evidence: null, error: 'the check did not run in this rehearsal' };
  } catch (e) {
    return { evidence: null, error: plainMessage(e) };
  } finally {
    await pool.closeAll();
  }
}

/** The primary addresses of the mailboxes homed on the source's mailbox databases. */
export async function sourceMailboxes(job: Job, dir: DirectoryAccess): Promise<string[]> {
  const topo = await discover(dir, {});
  const dbs = topo.databases.filter((d) => d.kind === 'mailbox' && d.server?.toLowerCase() === job.source.name.toLowerCase());
  const s = await openSession(dir);
  try {
    const base = (await readRootDse(s.client)).defaultNamingContext;
    const out: string[] = [];
    for (const db of dbs) {
      const { searchEntries } = await s.client.search(base, { scope: 'sub', filter: new EqualityFilter({ attribute: 'homeMDB', value: db.dn }), attributes: ['mail'], paged: { pageSize: 1000 } });
      for (const e of searchEntries) { const m = ([] as unknown[]).concat(e.mail ?? [])[0]; if (m) out.push(String(m)); }
    }
    return out;
  } finally {
    await s.close();
  }
}

export function buildRehearsalReport(job: Job, target: JobTarget, plan: Plan, result: PlanRunResult | undefined, ev: { evidence: RehearsalEvidence | null; error: string | null },
  mailboxes: { addresses: string[] | null; error: string | null }, o: { trigger: RehearsalTrigger; startedAt: Date; finishedAt: Date; chosen: boolean }): RehearsalReport {
  const e = ev.evidence;
  const point = e?.point ?? null;
  const takenAt = point ? parsePoint(point)?.at ?? null : null;
  const steps = (result?.steps ?? []).filter((s) => s.status !== 'undone' && s.status !== 'undo-failed');
  const rows = (result?.steps ?? []).map((s) => ({ index: s.index, where: s.where, action: s.action, status: s.status, seconds: s.ms === undefined ? null : Number((s.ms / 1000).toFixed(2)), output: s.output.split('\n').at(-1)?.slice(0, 600) ?? '' }));
  const served = steps.find((s) => s.index === serveStepOf(plan) && s.status === 'applied');
  // Wall-clock, from the moment the rehearsal began (connections included) to the copy's services verified answering.
  const upTo = served ? Date.parse(served.at) - o.startedAt.getTime() : null;
  const base = {
    plan: { id: plan.id, outcome: result?.outcome ?? 'refused', error: result?.error ?? null },
    services: e?.services ?? null,
    testMessage: e?.testMessage ?? null,
    mailboxes: e?.census ? compareMailboxes(mailboxes.addresses, mailboxes.error, e.census) : null,
  };
  const verdict = judge(base);
  if (!e && ev.error && base.plan.outcome === 'applied') verdict.problems.push(`The check's evidence could not be read: ${ev.error}.`);
  return {
    schema: 'failguard.rehearsal/1',
    tool: { name: 'Failguard', version: VERSION },
    job: { id: job.id, name: job.name },
    source: `${job.source.name} (${job.source.address})`,
    target: target.name,
    trigger: o.trigger,
    startedAt: o.startedAt.toISOString(),
    finishedAt: o.finishedAt.toISOString(),
    controller: hostname(),
    outcome: verdict.outcome,
    problems: verdict.problems,
    point: { name: point, takenAt: takenAt === null ? null : new Date(takenAt).toISOString(), ageSeconds: takenAt === null ? null : Math.max(0, Math.round((o.startedAt.getTime() - takenAt) / 1000)), chosen: o.chosen },
    timeToServiceSeconds: upTo === null ? null : Number((upTo / 1000).toFixed(2)),
    steps: rows,
    firstMessage: e?.firstMessage ?? null,
    ...base,
  };
}

/** Runs the rehearsal and keeps its report with the job; the report says what failed when it did. */
export async function runRehearsal(job: Job, target: JobTarget, consent: string | 'now', o: RehearsalRunOptions): Promise<{ plan: Plan; results: PlanRunResult[]; report: RehearsalReport; file: string }> {
  const startedAt = new Date();
  const plan = rehearsalPlan(job, target, o.point ?? null);
  // The directory is read while the plan runs (it changes nothing there); its failure is the report's, not the rehearsal's.
  const directory = o.mailboxDirectory
    ? sourceMailboxes(job, o.mailboxDirectory).then((addresses) => ({ addresses, error: null as string | null }), (e: unknown) => ({ addresses: null, error: plainMessage(e) }))
    : Promise.resolve({ addresses: null, error: 'no directory account was given for this rehearsal' });
  const { mailboxDirectory: _unused, ...provision } = o;
  // A run that cannot start (a host that cannot be reached or signed in to) is a failed rehearsal, and its report says why.
  const results = await runJobPlan(job, plan, consent, provision).catch((e: unknown): PlanRunResult[] => {
    // Not a rehearsal that failed: the plan changed since it was reviewed, or another run of the job holds it.
    if (e instanceof UserError && (e.code === 'plan-changed' || e.code === 'job-busy')) throw e;
    return [{ planId: plan.id, title: plan.title, outcome: 'refused', error: plainMessage(e), steps: [] }];
  });
  const result = results.find((r) => r.planId === plan.id);
  const ev = result && result.outcome !== 'refused' && result.outcome !== 'cancelled' ? await readEvidence(job, target, startedAt, o.sshSecret) : { evidence: null, error: result?.error ?? 'the plan did not run' };
  const report = buildRehearsalReport(job, target, plan, result, ev, await directory, { trigger: o.trigger, startedAt, finishedAt: new Date(), chosen: !!o.point });
  const file = await saveRehearsalReport(job.id, report, o.dataDir);
  return { plan, results, report, file };
}
