/**
 * A rehearsal's proof, taken on the copy while its services run:
 * - the services answer (greetings);
 * - Dovecot reads the first message of a mailbox that has mail, from its file, so a message in the clear is proven,
 *   not only counted (a file encrypted in place counts too, and its cached subject would still read);
 * - a test message goes in through the copy's Postfix (sendmail, the local pickup: admission at smtpd
 *   refuses outside mail on a standby, as it should) and is read back over IMAP, as a mail client would;
 * - every mailbox the copy's Dovecot knows, with its message count, set against the directory by the app.
 * The evidence is written to the agent's state folder (outside the copy, which is discarded after) for
 * the app's report; the step's output is one line of words.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AgentConfig } from './config.ts';
import { serving, evidenceFileOf, requireRehearsalCopy } from './commands.ts';
import { UserError } from '../../shared/errors.ts';
import { rehearsalEvidenceSchema, type RehearsalEvidence } from '../../shared/rehearsal-report.ts';

const evidenceFile = evidenceFileOf;
/** The check stays well inside a plan command's two minutes: counting, then the test message, each bounded. */
const CENSUS_MS = 45_000;
const DELIVERY_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A program run without a shell (its arguments are data), its whole output kept up to `maxBytes`. */
function runFile(file: string, args: string[], o: { timeoutMs: number; input?: string; maxBytes?: number }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = execFile(file, args, { timeout: o.timeoutMs, maxBuffer: o.maxBytes ?? 1 << 20, encoding: 'utf8' }, (e, stdout, stderr) => {
      const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 127) : 0;
      resolve({ code, stdout, stderr: stderr || (e && !stdout ? e.message : '') });
    });
    p.stdin?.on('error', () => undefined);
    p.stdin?.end(o.input ?? '');
  });
}

/**
 * One IMAP session as `user`, through Dovecot's own IMAP server, preauthenticated (no password is known here).
 * Its input and output go through `cat`: Node gives a child sockets for them, which imap takes for inetd's and refuses.
 * The user is the script's argument, never part of its text.
 */
const imap = (user: string, commands: string[]) => runFile('/bin/sh', ['-c', 'cat | doveadm exec imap -u "$1" 2>&1 | cat', 'failguard-imap', user], { timeoutMs: 20_000, input: `${[...commands, 'z LOGOUT'].join('\r\n')}\r\n` });

/** Every user the copy's Dovecot knows, with the messages in their inbox (one doveadm run for all). */
export async function mailboxCensus(): Promise<{ users: Array<{ user: string; messages: number }>; error: string | null }> {
  const r = await runFile('doveadm', ['-f', 'tab', 'mailbox', 'status', '-A', 'messages', 'INBOX'], { timeoutMs: CENSUS_MS, maxBytes: 64 << 20 });
  return { users: parseCensus(r.stdout), error: r.code === 0 ? null : (r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`) };
}

/** doveadm's tab format: a header line naming the columns (`Username`, `mailbox`, `messages`; case varies), then one line per user. */
export function parseCensus(text: string): Array<{ user: string; messages: number }> {
  const [head, ...lines] = text.split('\n').filter((l) => l.trim());
  const cols = (head ?? '').split('\t').map((c) => c.trim().toLowerCase());
  const u = cols.indexOf('username');
  const m = cols.indexOf('messages');
  if (u < 0 || m < 0) return [];
  return lines.map((l) => l.split('\t')).filter((f) => f[u]).map((f) => ({ user: f[u]!, messages: Number(f[m]) || 0 }));
}

/**
 * The first message of `user`'s inbox, read from its file: whether its subject reads, by a digest
 * (a person's mail never enters a report or a journal; the digest lets one who knows the subject check it).
 */
async function firstMessage(user: string): Promise<{ exists: number; subject: string | null; error: string | null }> {
  const r = await imap(user, ['a1 EXAMINE INBOX', 'a2 FETCH 1 (BODY.PEEK[]<0.4000>)']);
  const exists = Number(/^\* (\d+) EXISTS/m.exec(r.stdout)?.[1] ?? NaN);
  if (!/^a1 OK/m.test(r.stdout) || Number.isNaN(exists)) return { exists: 0, subject: null, error: `Dovecot's IMAP server could not open ${user}'s inbox on the copy: ${r.stdout.split('\n').find((l) => /^a1 /.test(l)) ?? (r.stderr.trim() || `exit ${r.code}`)}` };
  const subject = /^Subject: ?(.*)$/m.exec(r.stdout)?.[1]?.trim() || null;
  return { exists, subject: subject === null ? null : subjectDigest(subject), error: null };
}

/** How a subject is recorded: `sha256:` and the first 16 hex digits of its SHA-256. */
export const subjectDigest = (subject: string) => `sha256:${createHash('sha256').update(subject).digest('hex').slice(0, 16)}`;

/** The queue ids of messages whose envelope sender is `from` (postqueue -j: one JSON object a line). */
async function queuedFrom(from: string): Promise<string[]> {
  const r = await runFile('postqueue', ['-j'], { timeoutMs: 10_000, maxBytes: 16 << 20 });
  return r.stdout.split('\n').flatMap((l) => {
    try { const m = JSON.parse(l) as { queue_id?: string; sender?: string }; return m.sender === from && m.queue_id && /^[0-9A-Za-z]+$/.test(m.queue_id) ? [m.queue_id] : []; } catch { return []; }
  });
}

/** A message through the copy's Postfix to `user`, then found and read back over IMAP; seconds from submission to read. */
async function testMessage(c: AgentConfig, user: string, waitMs = DELIVERY_MS): Promise<RehearsalEvidence['testMessage']> {
  const r = await deliverAndRead(c, user, waitMs);
  for (const id of await queuedFrom(r.from)) await runFile('postsuper', ['-d', id], { timeoutMs: 10_000 });
  return r.result;
}

async function deliverAndRead(c: AgentConfig, user: string, waitMs: number): Promise<{ from: string; result: RehearsalEvidence['testMessage'] }> {
  const token = randomBytes(12).toString('hex');
  const subject = `Failguard rehearsal ${token}`;
  // A sender of its own: whatever of it is still queued at the end is found and deleted, so it never waits for the next real failover.
  const from = `failguard-rehearsal-${token}@${user.split('@')[1] ?? 'localhost'}`;
  const body = [`From: Failguard <${from}>`, `To: <${user}>`, `Subject: ${subject}`, `X-Failguard-Rehearsal: ${token}`, `Date: ${new Date().toUTCString()}`, '',
    `A rehearsal on ${c.host} delivered this message on a copy of the mail store. The copy is discarded after the rehearsal.`, `Token: ${token}`, ''].join('\r\n');
  const started = Date.now();
  const base = { to: user, token, submittedAt: new Date(started).toISOString() };
  const sent = await runFile('/usr/sbin/sendmail', ['-i', '-f', from, '--', user], { timeoutMs: 15_000, input: body });
  if (sent.code !== 0) return { from, result: { ...base, delivered: false, readBack: false, seconds: null, error: `Postfix's sendmail on the copy refused the message (${sent.stderr.trim().split('\n').at(-1) || `exit ${sent.code}`})` } };
  let last = '';
  while (Date.now() - started < waitMs) {
    const found = await imap(user, ['a1 EXAMINE INBOX', `a2 UID SEARCH HEADER X-Failguard-Rehearsal ${token}`]);
    const uid = /^\* SEARCH (\d+)/m.exec(found.stdout)?.[1];
    last = found.stdout.split('\n').find((l) => /^a[12] (NO|BAD)/.test(l)) ?? last;
    if (uid) {
      const read = await imap(user, ['a1 EXAMINE INBOX', `a2 UID FETCH ${uid} (BODY.PEEK[])`]);
      const ok = read.stdout.includes(`Token: ${token}`) && read.stdout.includes(subject);
      return { from, result: { ...base, delivered: true, readBack: ok, seconds: Number(((Date.now() - started) / 1000).toFixed(2)), error: ok ? null : 'the message was found, but its text did not read back as sent' } };
    }
    await sleep(250);
  }
  const queued = (await queuedFrom(from)).length;
  return { from, result: { ...base, delivered: false, readBack: false, seconds: null, error: `the message did not reach ${user}'s inbox within ${waitMs / 1000} s${last ? ` (${last.trim()})` : ''}${queued ? '; it was still in Postfix\'s queue, and was deleted from it' : ''}` } };
}

/** The check itself (a plan step): throws when the copy does not serve or its mail cannot be read; writes the evidence either way. */
export async function rehearsalCheck(c: AgentConfig): Promise<string> {
  const at = new Date().toISOString();
  // Only on a rehearsal's own copy, with no failover begun: the test message must never reach live data.
  const promoted = requireRehearsalCopy(c, 'send a test message');
  const s = await serving(c);
  const write = (e: RehearsalEvidence) => {
    const tmp = `${evidenceFile(c)}.tmp`;
    writeFileSync(tmp, JSON.stringify(e), { mode: 0o600 });
    renameSync(tmp, evidenceFile(c));
  };
  const evidence: RehearsalEvidence = { at, host: c.host, point: promoted.point, services: { ok: s.ok, detail: s.detail }, firstMessage: null, testMessage: null, census: null };
  if (!s.ok) {
    write(evidence);
    throw new UserError('rehearsal-failed', `On the copy, ${s.detail}.`);
  }
  const census = await mailboxCensus();
  evidence.census = { users: census.users, error: census.error };
  // The first user with mail: proof that old mail reads in the clear; the first user at all takes the test message.
  const reader = census.users.find((u) => u.messages > 0)?.user ?? null;
  const first = reader ? await firstMessage(reader) : null;
  evidence.firstMessage = reader && first ? { user: reader, ...first } : null;
  const recipient = reader ?? census.users[0]?.user ?? null;
  evidence.testMessage = recipient ? await testMessage(c, recipient) : null;
  write(evidence);
  if (first?.error) throw new UserError('rehearsal-failed', first.error);
  if (!recipient) throw new UserError('rehearsal-failed', `The copy's Dovecot knows no mailbox${census.error ? ` (${census.error})` : ''}, so no mail could be read on it.`);
  const t = evidence.testMessage!;
  if (!t.readBack) throw new UserError('rehearsal-failed', `A test message to ${recipient} on the copy: ${t.error}.`);
  const words = [`${s.detail}`, `${census.users.length} mailboxes on the copy, ${census.users.filter((u) => u.messages > 0).length} with mail`];
  if (first && reader) words.push(`IMAP opened ${reader}'s inbox on the copy: ${first.exists} messages${first.subject ? `; the first has a subject that reads (${first.subject})` : first.exists ? '; the first has no subject Dovecot can read' : ''}`);
  words.push(`a test message to ${recipient} was delivered and read back over IMAP in ${t.seconds} s`);
  return words.join('; ');
}

/** The evidence of the last rehearsal check on this host (what the app's report is made from). */
export function rehearsalEvidence(c: AgentConfig): RehearsalEvidence {
  let text: string;
  try {
    text = readFileSync(evidenceFile(c), 'utf8');
  } catch {
    throw new UserError('no-evidence', `${c.host} has no rehearsal check on record.`);
  }
  return rehearsalEvidenceSchema.parse(JSON.parse(text));
}
