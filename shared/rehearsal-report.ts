/**
 * A rehearsal as evidence: what the agent's check found on the copy (its evidence, read back by
 * the app), and the report made of it with the plan's steps and the directory's mailboxes — the
 * object every format (JSON, HTML, PDF) is written from. Past reports stay with the job.
 */
import { z } from 'zod';

const iso = z.string().max(40);
const words = z.string().max(2000);

/** What `failguard-agent rehearsal-check` found on the copy (agent/src/rehearsal-check.ts). */
export const rehearsalEvidenceSchema = z.object({
  at: iso,
  host: z.string().max(255),
  point: z.string().max(200).nullable(),
  services: z.object({ ok: z.boolean(), detail: words }),
  firstMessage: z.object({ user: z.string().max(320), exists: z.number(), subject: z.string().max(400).nullable(), error: words.nullable() }).nullable(),
  testMessage: z.object({
    to: z.string().max(320), token: z.string().max(64), submittedAt: iso,
    delivered: z.boolean(), readBack: z.boolean(), seconds: z.number().nullable(), error: words.nullable(),
  }).nullable(),
  census: z.object({ users: z.array(z.object({ user: z.string().max(320), messages: z.number() })).max(1_000_000), error: words.nullable() }).nullable(),
});
export type RehearsalEvidence = z.infer<typeof rehearsalEvidenceSchema>;

export type RehearsalTrigger = 'schedule' | 'person' | 'command';
export type RehearsalOutcome = 'passed' | 'warning' | 'failed';

/** The directory's mailboxes on the source set against those the copy's mail server knows. */
export interface MailboxComparison {
  /** Mailboxes homed on the source's databases (null: the directory was not read). */
  directory: number | null;
  directoryError: string | null;
  onCopy: number;
  withMail: number;
  messages: number;
  /** In the directory, unknown on the copy: the first 50, and how many in all. */
  missing: string[];
  missingCount: number;
  /** Known on the copy, not homed on the source in the directory. */
  extraCount: number;
  censusError: string | null;
}

export interface RehearsalStepRow { index: number; where: string; action: string; status: string; seconds: number | null; output: string }

export interface RehearsalReport {
  schema: 'failguard.rehearsal/1';
  tool: { name: 'Failguard'; version: string };
  job: { id: string; name: string };
  source: string;
  target: string;
  trigger: RehearsalTrigger;
  startedAt: string;
  finishedAt: string;
  controller: string;
  outcome: RehearsalOutcome;
  /** Why it is not `passed`, in plain sentences (empty when it passed). */
  problems: string[];
  point: { name: string | null; takenAt: string | null; ageSeconds: number | null; chosen: boolean };
  /** From the start of the rehearsal to the copy's services answering. */
  timeToServiceSeconds: number | null;
  plan: { id: string; outcome: string; error: string | null };
  steps: RehearsalStepRow[];
  services: { ok: boolean; detail: string } | null;
  firstMessage: RehearsalEvidence['firstMessage'];
  testMessage: RehearsalEvidence['testMessage'];
  mailboxes: MailboxComparison | null;
}

const num = z.number().finite();
/** A kept report read back (a file in the job's folder): its values checked before any reaches a page or a list. */
export const rehearsalReportSchema = z.object({
  schema: z.literal('failguard.rehearsal/1'),
  tool: z.object({ name: z.literal('Failguard'), version: z.string().max(100) }),
  job: z.object({ id: z.string().max(64), name: z.string().max(200) }),
  source: z.string().max(400), target: z.string().max(255),
  trigger: z.enum(['schedule', 'person', 'command']),
  startedAt: iso, finishedAt: iso, controller: z.string().max(255),
  outcome: z.enum(['passed', 'warning', 'failed']),
  problems: z.array(words).max(50),
  point: z.object({ name: z.string().max(200).nullable(), takenAt: iso.nullable(), ageSeconds: num.nullable(), chosen: z.boolean() }),
  timeToServiceSeconds: num.nullable(),
  plan: z.object({ id: z.string().max(100), outcome: z.string().max(40), error: words.nullable() }),
  steps: z.array(z.object({ index: z.number().int().min(0).max(1000), where: z.string().max(255), action: z.string().max(65536), status: z.string().max(40), seconds: num.nullable(), output: z.string().max(4000) })).max(200),
  services: z.object({ ok: z.boolean(), detail: words }).nullable(),
  firstMessage: rehearsalEvidenceSchema.shape.firstMessage,
  testMessage: rehearsalEvidenceSchema.shape.testMessage,
  mailboxes: z.object({ directory: num.nullable(), directoryError: words.nullable(), onCopy: num, withMail: num, messages: num, missing: z.array(z.string().max(320)).max(50), missingCount: num, extraCount: num, censusError: words.nullable() }).nullable(),
});

/** Sets the directory's addresses against the copy's users (case does not matter in an address). */
export function compareMailboxes(directory: readonly string[] | null, directoryError: string | null, census: RehearsalEvidence['census']): MailboxComparison {
  const users = census?.users ?? [];
  const onCopy = new Set(users.map((u) => u.user.toLowerCase()));
  const inDirectory = directory ? new Set(directory.map((a) => a.toLowerCase())) : null;
  const missing = inDirectory ? [...inDirectory].filter((a) => !onCopy.has(a)).sort() : [];
  return {
    directory: inDirectory ? inDirectory.size : null,
    directoryError,
    onCopy: onCopy.size,
    withMail: users.filter((u) => u.messages > 0).length,
    messages: users.reduce((n, u) => n + u.messages, 0),
    missing: missing.slice(0, 50),
    missingCount: missing.length,
    extraCount: inDirectory ? [...onCopy].filter((u) => !inDirectory.has(u)).length : 0,
    censusError: census?.error ?? (census ? null : 'the copy was not counted'),
  };
}

/** The verdict: failed when the plan did not finish or mail could not be read; a warning when mailboxes are missing or the directory was not read. */
export function judge(r: Pick<RehearsalReport, 'plan' | 'testMessage' | 'mailboxes' | 'services'>): { outcome: RehearsalOutcome; problems: string[] } {
  const failed: string[] = [];
  const warned: string[] = [];
  if (r.plan.outcome !== 'applied') failed.push(r.plan.error ?? `The rehearsal's plan ended ${r.plan.outcome}.`);
  if (r.services && !r.services.ok) failed.push(`On the copy, ${r.services.detail}.`);
  if (!r.testMessage) failed.push('No test message could be sent on the copy.');
  else if (!r.testMessage.readBack) failed.push(`The test message to ${r.testMessage.to} was not read back: ${r.testMessage.error ?? 'no reason given'}.`);
  const m = r.mailboxes;
  if (m?.missingCount) warned.push(`${m.missingCount} of the ${m.directory} mailboxes the directory homes on the source are unknown on the copy (first: ${m.missing.slice(0, 3).join(', ')}).`);
  if (m && m.directory === null) warned.push(`The directory was not read, so the mailboxes were not counted against it${m.directoryError ? `: ${m.directoryError}` : ''}.`);
  if (m?.censusError) warned.push(`The copy's mailboxes could not all be counted: ${m.censusError}.`);
  const problems = [...failed, ...warned];
  return { outcome: failed.length ? 'failed' : warned.length ? 'warning' : 'passed', problems };
}

/** One line per report for lists (the dashboard, `failguard rehearsals`). */
export interface RehearsalSummary { file: string; startedAt: string; target: string; trigger: RehearsalTrigger; outcome: RehearsalOutcome; pointAgeSeconds: number | null; timeToServiceSeconds: number | null }

export const summaryOf = (file: string, r: RehearsalReport): RehearsalSummary => ({
  file, startedAt: r.startedAt, target: r.target, trigger: r.trigger, outcome: r.outcome, pointAgeSeconds: r.point.ageSeconds, timeToServiceSeconds: r.timeToServiceSeconds,
});
