/**
 * The agent's one-shot commands, run over SSH by the steps of the app's plans (failover,
 * failback, rehearsal) and by the agent's own automatic failover: each does one thing, is
 * safe to run twice, and has a check that tells whether its effect is in place.
 */
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { AgentConfig } from './config.ts';
import { ask, loadTls } from './peer.ts';
import { run } from './btrfs.ts';
import { receivedPoints } from './receiver.ts';
import { readPhase, writePhase, type Phase } from './monitor/phase.ts';
import { greeting, resolveServices, running as serviceRunning, sh, startServices, stopServices } from './monitor/services.ts';
import { shellCommand } from '../../electron/hosts/shell.ts';
import { UserError } from '../../shared/errors.ts';
import { newestCommon, parsePoint } from '../../shared/points.ts';
import { beginAsking, clearAsking, endAsking, promiseLeftS } from './monitor/promise.ts';
import { addHolds, releaseHolds } from './holds.ts';
import { standbyPromiseS, timingOf } from './monitor/rules.ts';

const witnessOf = (c: AgentConfig) => {
  if (c.role !== 'target') throw new UserError('agent-role', `${c.host} is the ${c.role}; only a target takes over.`);
  const w = c.monitor?.witness;
  if (!w) throw new UserError('no-witness', 'This job has no witness, so no lease can be asked for; a failover without one must be forced by a person who has made sure the source is down.');
  return w;
};

/** Asks the witness for the lease (the right to serve); granted only when the witness too has lost the source. */
export async function takeLease(c: AgentConfig): Promise<{ epoch: number; active: string }> {
  const w = witnessOf(c);
  // A standby that answered the source lately promised it not to ask (the source takes mail on that word);
  // a lease already handed to it (a planned switchover) or already its own is no new grant.
  const now = await ask(loadTls(c), c.jobId, w, { op: 'witness-status' }, 5000).catch(() => null);
  const holds = now?.active === c.host;
  // Another standby took over: only a failback or a switchover moves the lease, so this one does not ask at all.
  if (now && typeof now.active === 'string' && now.active && !holds && now.active !== c.monitor?.source?.name) {
    throw new UserError('lease-refused', `${now.active} holds the lease already (it took over ${c.monitor?.source?.name ?? 'the source'}'s mail); ${c.host} stays a standby. Only a failback or a planned switchover moves the lease.`);
  }
  // Announced before the promise is checked, both before the witness is asked (promise.ts says why).
  const marker = beginAsking(c.stateDir);
  // Kept when granted, and when the witness did not answer (it may have granted it): only a refusal ends the request.
  let keep = false;
  try {
    const promiseS = standbyPromiseS(timingOf(c.monitor));
    const left = holds ? 0 : promiseLeftS(c.stateDir, promiseS);
    if (left > 0) {
      const source = c.monitor?.source?.name ?? 'the source';
      throw new UserError('lease-refused', `${c.host} heard ${source} within the last ${Math.max(1, Math.ceil(promiseS - left))} s, so ${source} may still be taking mail; ${c.host} asks for the lease only once it has not heard ${source} for ${promiseS} s. If ${source} is up, use a planned switchover instead.`);
    }
    const r = await ask(loadTls(c), c.jobId, w, { op: 'lease' }, 5000).catch((e: Error) => {
      keep = true;
      throw new UserError('witness-unreachable', `The witness did not answer (${e.message}); without its lease ${c.host} does not take over. Bring the witness back, or check the network between ${c.host} and it.`);
    });
    if (r.granted !== true) throw new UserError('lease-refused', `The witness did not grant the lease: ${String(r.reason ?? r.error ?? 'no reason given')}.`);
    keep = true;
    return afterGrant(c, r);
  } finally {
    if (!keep) endAsking(c.stateDir, marker);
  }
}

function afterGrant(c: AgentConfig, r: Record<string, unknown>): { epoch: number; active: string } {
  const phase = readPhase(c.stateDir);
  if (!phase) writePhase(c.stateDir, { phase: 'failing-over', at: Date.now(), epoch: Number(r.epoch) });
  return { epoch: Number(r.epoch), active: String(r.active) };
}

/** Whether the witness names this host the one that may serve. */
export async function holdsLease(c: AgentConfig): Promise<boolean> {
  const r = await ask(loadTls(c), c.jobId, witnessOf(c), { op: 'witness-status' }, 5000);
  return r.active === c.host;
}

/**
 * What a promotion did: the point brought up, where the data before it went, and (a failover to
 * a point other than the newest) the newest point then and the newer points it held, set aside.
 */
interface Promoted { point: string; aside: string | null; at: number; newestThen?: string; held?: string[]; rehearsal?: boolean }
const promotedFile = (c: AgentConfig) => join(c.stateDir, 'promoted.json');
const base = (c: AgentConfig) => posix.dirname(c.receiveDir);
/** A point as a person reads it: its time, and its name to find it by. */
const pointWords = (name: string) => { const p = parsePoint(name); return p ? `the point of ${new Date(p.at).toISOString()} (${name})` : JSON.stringify(name); };

export function readPromoted(c: AgentConfig): Promoted | null {
  try {
    return JSON.parse(readFileSync(promotedFile(c), 'utf8')) as Promoted;
  } catch {
    return null;
  }
}

/**
 * Puts a writable copy of a complete point in place of the data (`subvolume`): the newest, or
 * `chosen` (a point-in-time failover or rehearsal). What was there is moved aside, never deleted,
 * and every received point is kept; a failover to an older point holds the newer ones (they are
 * the data it sets aside) until a person releases them. A rehearsal holds nothing: its copy is
 * discarded and replication never stopped. Safe to run again.
 */
export async function promote(c: AgentConfig, chosen: string | null = null, o: { rehearsal?: boolean } = {}): Promise<Promoted> {
  let done = readPromoted(c);
  // A rehearsal never runs on data that serves: the copy it brings up is discarded after, with what was written on it.
  if (o.rehearsal) {
    if ((done && !done.rehearsal) || takingOver(c)) {
      throw new UserError('rehearsal-refused', `${c.host} serves the mail now (it took over${done ? ` with ${pointWords(done.point)}` : ''}), so it cannot be rehearsed on: a rehearsal discards what it brings up. Fail back first, or rehearse on another standby.`);
    }
    // The evidence of an earlier check is never taken for this one's.
    rmSync(evidenceFileOf(c), { force: true });
  } else if (done?.rehearsal) {
    // A failover arrives while a rehearsal's copy is up: the copy and its services go (they hold nothing but the test), then the failover's own point comes up.
    await stopServices(servicesOf(c), 10_000, () => undefined);
    await unpromote(c, true);
    done = null;
  }
  if (done && await isSubvolume(c.subvolume)) {
    if (chosen && done.point !== chosen) throw new UserError('promoted-other', `${c.host} already has ${pointWords(done.point)} brought up, not ${pointWords(chosen)}; undo that run first.`);
    return done;
  }
  const pts = await receivedPoints(c.receiveDir, false);
  if (chosen !== null && !pts.includes(chosen)) {
    throw new UserError('point-gone', `${c.host} no longer holds ${pointWords(chosen)} (the retention pruned it, or it never arrived); list the points it holds with \`failguard points\` and choose again.`);
  }
  const point = chosen ?? pts.at(-1);
  if (!point) throw new UserError('no-point', `${c.host} holds no complete point yet, so there is nothing to bring up; the initial sync never finished.`);
  const newer = pts.slice(pts.indexOf(point) + 1);
  let aside: string | null = null;
  if (existsSync(c.subvolume)) {
    aside = posix.join(base(c), `before-failover-${Date.now()}`);
    await run(['mv', c.subvolume, aside]);
  }
  await run(['btrfs', 'subvolume', 'snapshot', posix.join(c.receiveDir, point), c.subvolume]);
  // Held once the point is up (a promotion that failed before holds nothing it could not release).
  const held = !o.rehearsal && newer.length ? addHolds(c.stateDir, newer, `newer than ${point}, which a failover brought up: set aside, kept until released`) : [];
  const rec: Promoted = { point, aside, at: Date.now(), ...(newer.length ? { newestThen: pts.at(-1)!, held } : {}), ...(o.rehearsal ? { rehearsal: true } : {}) };
  writeFileSync(promotedFile(c), JSON.stringify(rec), { mode: 0o600 });
  return rec;
}

export async function isSubvolume(path: string): Promise<boolean> {
  return run(['btrfs', 'subvolume', 'show', path]).then(() => true, () => false);
}

/**
 * Undoes a promotion and puts the data from before back. The copy is moved aside, so what was
 * written on it is kept; a rehearsal's copy is deleted instead (`discard`), as promised.
 */
export async function unpromote(c: AgentConfig, discard = false, o: { rehearsal?: boolean } = {}): Promise<string> {
  const p = readPromoted(c);
  // A rehearsal's own undo never acts once its host took over: what is up then is the failover's (it discarded the copy itself).
  if (o.rehearsal && takingOver(c)) throw interrupted(c, 'discard anything');
  if (!p) return 'nothing was promoted';
  // Only a rehearsal's copy is ever deleted: a failover's data (mail taken since) is kept aside whatever was asked.
  if (discard && !p.rehearsal) throw new UserError('discard-refused', `${c.host} brought up ${pointWords(p.point)} for a failover, not a rehearsal; its data is never discarded. Undo it without --discard (the data is kept aside).`);
  const kept = posix.join(base(c), `promoted-${p.point}-${Date.now()}`);
  if (existsSync(c.subvolume)) {
    if (discard) await run(['btrfs', 'subvolume', 'delete', c.subvolume]);
    else await run(['mv', c.subvolume, kept]);
  }
  if (p.aside && existsSync(p.aside)) await run(['mv', p.aside, c.subvolume]);
  // The newer points it set aside are the line again: released (holds others made stay).
  if (p.held?.length) releaseHolds(c.stateDir, p.held);
  rmSync(promotedFile(c), { force: true });
  return discard ? `the copy of ${p.point} is discarded` : `the promoted copy is kept at ${kept}`;
}

/** Whether this host is taking over or has taken over (a failover's phase is set). */
const takingOver = (c: AgentConfig) => { const ph = readPhase(c.stateDir)?.phase; return ph === 'failing-over' || ph === 'failed-over'; };

/** Where a rehearsal's check leaves its evidence for the app's report (outside the copy, which is discarded). */
export const evidenceFileOf = (c: AgentConfig) => join(c.stateDir, 'rehearsal-evidence.json');

const interrupted = (c: AgentConfig, what: string) => new UserError('rehearsal-interrupted', `${c.host} took over while the rehearsal ran, or has no rehearsal copy up, so the rehearsal does not ${what}: the data there may be live. The rehearsal stops here, and nothing of a failover is touched.`);

/**
 * The rehearsal's own steps act only on its copy: a copy it brought up is there, and no failover
 * began since (a failover that arrives discards the copy and brings up its own point).
 */
export function requireRehearsalCopy(c: AgentConfig, what: string): Promoted {
  const p = readPromoted(c);
  if (!p?.rehearsal || takingOver(c)) throw interrupted(c, what);
  return p;
}

/** The Postfix queue folder when it lies inside the protected data (so a copy of a point carries the queue), else null. */
async function queueInData(c: AgentConfig): Promise<string | null> {
  const q = (await sh('command -v postconf >/dev/null 2>&1 && postconf -h queue_directory', 5000)).output.trim();
  if (!q || !existsSync(q)) return null;
  const rel = posix.relative(c.subvolume, q);
  return rel && !rel.startsWith('..') && !posix.isAbsolute(rel) ? q : null;
}

/**
 * A rehearsal's copy carries the source's Postfix queue: every message in it is put on hold before
 * Postfix starts on the copy, so nothing queued is delivered a second time (the copy is discarded after).
 */
export async function holdQueue(c: AgentConfig): Promise<string> {
  requireRehearsalCopy(c, 'hold any queue');
  const q = await queueInData(c);
  if (!q) return 'the Postfix queue is not part of the protected data; nothing to hold';
  if (!['active', 'deferred', 'incoming'].every((d) => existsSync(posix.join(q, d)))) return `${q} holds no Postfix queue yet; nothing to hold`;
  // postsuper drops to Postfix's own user, which may not write Postfix's log file when Postfix is stopped: it runs on a
  // copy of the configuration that logs nowhere (the copy of the queue is all it touches).
  const r = await sh('t=$(mktemp -d) && cp /etc/postfix/main.cf /etc/postfix/master.cf "$t"/ && postconf -c "$t" -e maillog_file= && postsuper -c "$t" -h ALL; rc=$?; rm -rf "$t"; exit $rc', 60_000);
  if (r.code !== 0) throw new UserError('rehearsal-failed', `The copy's mail queue could not be put on hold (${r.output.split('\n').at(-1)}); the rehearsal stops before Postfix starts on it.`);
  return r.output.trim() || 'the queue is on hold';
}

/** Whether no message of a rehearsal copy's queue waits for delivery (all held, or none). */
export async function queueHeld(c: AgentConfig): Promise<boolean> {
  const q = await queueInData(c);
  if (!q) return true;
  const r = await sh(`${shellCommand(['find', ...['incoming', 'active', 'deferred', 'maildrop'].map((d) => posix.join(q, d))])} -type f 2>/dev/null | head -1`, 30_000);
  return r.output.trim() === '';
}

export function setPhase(c: AgentConfig, phase: Phase | 'none'): void {
  if (phase === 'none') return writePhase(c.stateDir, null);
  const cur = readPhase(c.stateDir);
  writePhase(c.stateDir, { ...(cur ?? {}), phase, at: Date.now() });
}

const servicesOf = (c: AgentConfig) => resolveServices(c.monitor?.services ?? []);

/** Starts this host's mail services in order (after a promotion, or a rehearsal's clone). */
/**
 * Starts the services in order, all or none: when one does not start, those this call started
 * are stopped again, so a host never serves half (IMAP without SMTP, or a rehearsal's copy
 * still open after it was discarded).
 */
export async function serve(c: AgentConfig, o: { rehearsal?: boolean } = {}): Promise<string> {
  if (o.rehearsal) requireRehearsalCopy(c, 'start the services');
  const list = servicesOf(c);
  const before = await Promise.all(list.map((s) => serviceRunning(s)));
  const r = await startServices(list, () => undefined);
  if (!r.ok) {
    await stopServices(list.filter((_, i) => !before[i]), 10_000, () => undefined);
    throw new UserError('service-failed', `On ${c.host}, ${r.error}; the services it had started were stopped again. See its log, put it right, then run the plan again.`);
  }
  return 'started';
}

export async function unserve(c: AgentConfig, o: { rehearsal?: boolean; fence?: boolean } = {}): Promise<string> {
  const p = readPromoted(c);
  if (o.rehearsal && (takingOver(c) || (p && !p.rehearsal))) throw interrupted(c, 'stop the services');
  // The supervisor's fence (of a hung or crash-looping agent) keeps to the fence deadline D, which the failover timing counts
  // on; a plan's stop (a rehearsal's, a failover's undo) gives the services the 10 s of an orderly stop.
  const ok = await stopServices(servicesOf(c), o.fence ? timingOf(c.monitor).fenceDeadlineS * 1000 : 10_000, () => undefined);
  if (!ok) throw new UserError('service-failed', `A mail service on ${c.host} is still running after it was told to stop.`);
  return 'stopped';
}

/** Every service runs, and the mail ports answer with a greeting (SMTP 220, IMAP * OK). */
export async function serving(c: AgentConfig): Promise<{ ok: boolean; detail: string }> {
  const svcs = servicesOf(c);
  const probes: Array<[string, number, RegExp]> = [];
  if (svcs.some((s) => s.name.startsWith('postfix'))) probes.push(['SMTP', 25, /^220 /]);
  if (svcs.some((s) => s.name.startsWith('dovecot'))) probes.push(['IMAP', 143, /^\* OK/]);
  const said = await Promise.all(probes.map(async ([what, port, ok]) => { const g = await greeting(port); return { what, ok: !!g && ok.test(g), g }; }));
  const bad = said.filter((x) => !x.ok);
  return { ok: bad.length === 0, detail: bad.length ? `${bad.map((b) => `${b.what} ${b.g === null ? 'does not answer' : `answers "${b.g}"`}`).join('; ')}` : said.map((x) => `${x.what}: ${x.g}`).join('; ') || 'no mail ports to check' };
}

/** How long `synced` waits without a byte arriving before it gives up (a large delta takes as long as it needs while it advances). */
export const SYNC_IDLE_S = 300;

/**
 * Whether this target has received a point from the job's (new) source since its agent started,
 * waiting as long as the transfer advances: it fails only once no byte arrived for SYNC_IDLE_S.
 */
export async function synced(c: AgentConfig, idleS = SYNC_IDLE_S): Promise<{ ok: boolean; detail: string }> {
  let lastMove = Date.now();
  // Progress is the most of a point that ever arrived: a send that keeps failing and starting over is no progress.
  const most = new Map<string, number>();
  let lastBytes = 0;
  for (;;) {
    let st: { received?: { lastFrom: string | null }; receiving?: { point: string; bytes: number } | null } = {};
    try {
      st = JSON.parse(readFileSync(join(c.stateDir, 'state.json'), 'utf8')) as typeof st;
    } catch { /* being rewritten */ }
    const from = st.received?.lastFrom ?? null;
    if (from && from === c.monitor?.source?.name) return { ok: true, detail: `${c.host} holds a point from ${from}` };
    if (st.receiving && st.receiving.bytes > (most.get(st.receiving.point) ?? 0)) { most.set(st.receiving.point, st.receiving.bytes); lastBytes = st.receiving.bytes; lastMove = Date.now(); }
    const idle = idleS >= 60 ? `${Math.round(idleS / 60)} minutes` : `${idleS} s`;
    if (Date.now() - lastMove > idleS * 1000) return { ok: false, detail: `${c.host} has received nothing new from ${c.monitor?.source?.name} for ${idle}${lastBytes > 0 ? ` (${lastBytes} bytes of the current point had arrived)` : ''}; check replication, then run the failback again` };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** After a failback: the markers of the failover are cleared (the data stays), so the agent starts as a plain source or standby. */
export function settle(c: AgentConfig): string {
  for (const f of ['promoted.json', 'phase.json', 'handover.json']) rmSync(join(c.stateDir, f), { force: true });
  clearAsking(c.stateDir);
  return 'the failover markers are cleared';
}

/**
 * Before failback, on the old source: its points newer than the newest one `target` confirmed
 * never reached it (taken after the failover began, or before it but not shipped). They are
 * renamed `diverged-…` in place (never deleted: they hold what the old source accepted last),
 * so the newest point both hold is the parent and new points from the target sort after it.
 * The source's record can lag (it went down before it wrote the last confirmation down), so the
 * target is asked too which of the source's points it holds (the failback plan stops the target's
 * agent only after this step); the later of the two is the newest point both hold.
 */
export async function setAsideDiverged(c: AgentConfig, target: string): Promise<string> {
  let confirmed: string | null = null;
  try {
    confirmed = (JSON.parse(readFileSync(join(c.stateDir, 'state.json'), 'utf8')) as { targets?: Record<string, { lastPoint: string | null }> }).targets?.[target]?.lastPoint ?? null;
  } catch { /* no state */ }
  const t = c.targets.find((x) => x.name === target);
  const there: Record<string, unknown> = t ? await ask(loadTls(c), c.jobId, { name: t.name, address: t.address, port: t.port, ...(t.sourceAddress ? { localAddress: t.sourceAddress } : {}) }, { op: 'points' }, 10_000).catch((e: Error) => ({ error: e.message })) : { error: 'it is not a target of this host' };
  const points: unknown = there.points;
  const held = Array.isArray(points) ? newestCommon(await receivedPoints(c.pointsDir, false), points.filter((p): p is string => typeof p === 'string')) : null;
  const asked = Array.isArray(points) ? (held ? '' : ` (asked, ${target} holds none of ${c.host}'s points)`) : ` (asked, ${target} said: ${String(there.error ?? 'nothing')})`;
  const later = [parsePoint(confirmed ?? ''), parsePoint(held ?? '')].filter((p) => p !== null).sort((a, b) => b.seq - a.seq);
  const common = later[0] ?? null;
  if (!common) throw new UserError('no-common-point', `${c.host} does not know which point ${target} holds${asked}, so it cannot tell what diverged; protect the job again instead of failing back.`);
  const names = (await receivedPoints(c.pointsDir, false)).filter((n) => (parsePoint(n)?.seq ?? 0) > common.seq);
  for (const n of names) await run(['mv', posix.join(c.pointsDir, n), posix.join(c.pointsDir, `diverged-${n}`)]);
  return names.length ? `${names.length} points ${target} never received are kept as ${c.pointsDir}/diverged-*` : 'no point diverged';
}
