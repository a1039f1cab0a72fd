/**
 * One server serves, whatever fails: MAIL1 protected to two standbys (MAIL2, MAIL3) with the
 * witness, automatic mode on the fast monitor profile, acceptance probed on all three five times a
 * second (RCPT TO answered 250). Each fault of test/integration/fault-cases.ts: never two servers
 * accepting at once, exactly one standby takes over (and says which), within how long, and the
 * old source never accepts again — not after its agent resumes, its host thaws or reboots, nor
 * when the witness restarts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { protect } from '../../electron/provision/service.ts';
import { timingOf } from '../../agent/src/monitor/rules.ts';
import { jobKeysFor, labStatus, rcptAccepted, until } from './helpers.ts';
import { putLabBack } from './failover-helpers.ts';
import { MAIL1, monitorOf } from './partition.ts';
import { FAULT_CASES, undoFailover, type FaultRun } from './fault-cases.ts';

const s = labStatus();
const key = s.hosts[0]!.keyFile;
const TIMEOUT_S = 10;
const timing = timingOf({ profile: 'fast', timeoutSeconds: TIMEOUT_S });
/** The lease, the promotion, DNS, 500 mailboxes re-homed and the services started, on a busy two-core machine. */
const PLAN_S = 60;
const job = parseJob(JSON.stringify({
  version: 1, id: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8', name: 'Safety faults',
  source: { name: 'MAIL1', address: MAIL1, sshKeyFile: key },
  targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key }, { name: 'MAIL3', address: '198.18.0.14', sshKeyFile: key }],
  witness: { name: 'witness', address: '198.18.0.13', sshKeyFile: key },
  failover: { mode: 'automatic', timeoutSeconds: TIMEOUT_S, profile: 'fast', dns: [{ zone: 'lab.test', name: 'mail' }] },
  hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
}));
const directory = { target: { kind: 'url' as const, url: 'ldaps://dc1.lab.test', dnsServer: s.directory.dnsServer }, credentials: { username: s.directory.bindDn, password: readFileSync(s.directory.passwordFile, 'utf8').trim() }, trust: { caPem: readFileSync(s.directory.caFile, 'utf8') } };
const dataDir = mkdtempSync(join(tmpdir(), 'fg-faults-'));

let protectedOnce = false;

/** The first case from a clean lab; each later one from the failover before it undone (undoFailover), which is quicker than protecting anew. */
async function fresh(): Promise<void> {
  if (protectedOnce) undoFailover();
  else await putLabBack('fg-faults');
  protectedOnce = true;
  const r = await protect(job, 'now', { dataDir, directory, keys: await jobKeysFor(dataDir, job.id) });
  expect(r.results.filter((x) => x.outcome !== 'applied').map((x) => x.error)).toEqual([]);
  await until(() => `a healthy job (MAIL1 ${JSON.stringify(monitorOf('mail1'))}, MAIL2 ${JSON.stringify(monitorOf('mail2'))}, MAIL3 ${JSON.stringify(monitorOf('mail3'))})`,
    async () => monitorOf('mail1')?.fence === 'serving' && monitorOf('mail2')?.state === 'healthy' && monitorOf('mail3')?.state === 'healthy' && await rcptAccepted(MAIL1), 90_000);
}

afterAll(() => putLabBack('fg-faults'), 300_000);

const ctx = { timing, fresh, say: () => undefined };
const holderKey = (r: FaultRun) => r.holder!.toLowerCase();
const caseNamed = (part: string) => FAULT_CASES.find((c) => c.name.includes(part))!;
/** The figures of each run, for the record (the note and the README quote them). */
const figures = (r: FaultRun) => console.log(`${r.name}: ${JSON.stringify({ rounds: r.probed.rounds, accepted: r.probed.accepted, twoAtOnce: r.probed.both, failedOver: r.failedOver, takeoverS: r.takeoverS, mail1LastS: r.mail1LastS, ...r.facts })}`);

/** Exactly one standby took over, the one the witness names, and it took mail within the timeout and the plan's time. */
function oneTookOver(r: FaultRun): void {
  const seen = JSON.stringify({ ...r, probed: { ...r.probed } });
  expect(r.probed.both, seen).toBe(0);
  expect(r.failedOver, seen).toHaveLength(1);
  expect(r.holder?.toLowerCase(), seen).toBe(r.failedOver[0]);
  expect(r.takeoverS, seen).not.toBeNull();
  expect(r.takeoverS!, seen).toBeLessThan(TIMEOUT_S + PLAN_S);
  // MAIL1 took its last message before the new holder took its first.
  if (r.mail1LastS !== null) expect(r.mail1LastS, seen).toBeLessThan(r.takeoverS!);
}

describe('one server serves, whatever fails (two standbys, automatic, acceptance probed)', () => {
  it(`${FAULT_CASES[0]!.name}: exactly one takes over and the other says who; then MAIL1 rebooted never accepts, and a restarted witness keeps the holder`, async () => {
    const [killed, rebooted, witness] = await FAULT_CASES[0]!.run(ctx);
    [killed!, rebooted!, witness!].forEach(figures);
    oneTookOver(killed!);
    const loser = killed!.facts.loserView as { state?: string; leaseHolder?: string };
    expect(loser).toMatchObject({ leaseHolder: killed!.holder });
    expect(killed!.probed.accepted[holderKey(killed!)]).toBeGreaterThan(0);
    // Rebooted: its agent starts at boot and learns the lease moved; Postfix never starts, nothing is accepted.
    expect(rebooted!.probed.both).toBe(0);
    expect(rebooted!.probed.accepted.mail1).toBe(0);
    expect(rebooted!.facts).toMatchObject({ mail1Fence: 'handed-over', postfixRunning: false });
    expect(rebooted!.probed.accepted[holderKey(killed!)]! / rebooted!.probed.rounds).toBeGreaterThan(0.9);
    // The witness restarted: the lease it wrote survives, the holder goes on serving, nobody else starts.
    expect(witness!.probed.both).toBe(0);
    expect(witness!.probed.accepted.mail1).toBe(0);
    expect(witness!.facts.leaseBefore).toEqual({ active: killed!.holder, epoch: expect.any(Number) });
    expect(witness!.facts.leaseAfter).toEqual(witness!.facts.leaseBefore);
    expect(witness!.facts.loserAsked).toMatchObject({ code: 4, said: expect.stringContaining(`${killed!.holder} holds the lease already`) });
    expect(witness!.probed.accepted[holderKey(killed!)]! / witness!.probed.rounds).toBeGreaterThan(0.9);
    // The loser follows the holder: what was written there after the failover reached it, never by a full send,
    // so its first send went from a point both already had (the one the holder promoted, or an older one from MAIL1).
    const follow = witness!.facts.follow as { arrived: boolean; promoted: string; loserReceived: { lastFrom: string }; holderSent: { sends: number; fullSends: number; lastParent: string } };
    expect(follow).toMatchObject({ arrived: true, loserReceived: { lastFrom: killed!.holder }, holderSent: { fullSends: 0, lastParent: expect.stringMatching(/^p\d{10}-\d{13}$/) } });
    expect(follow.holderSent.sends).toBeGreaterThan(0);
  }, 900_000);

  it(`${caseNamed('its supervisor running').name}: MAIL1 refuses from the first instant, its supervisor kills the agent once the stamp is older than F and starts another, and MAIL1 serves again; no standby takes over`, async () => {
    const [r] = await caseNamed('its supervisor running').run(ctx);
    figures(r!);
    const seen = JSON.stringify(r);
    expect(r!.probed.both, seen).toBe(0);
    expect(r!.failedOver, seen).toEqual([]);
    expect([r!.probed.accepted.mail2, r!.probed.accepted.mail3], seen).toEqual([0, 0]);
    const { killedS, backS } = r!.facts as { killedS: number; backS: number };
    // Killed once its stamp was older than F (checked twice, a second apart), not before and not much later.
    expect(killedS, seen).toBeGreaterThanOrEqual(timing.fenceAfterS);
    expect(killedS, seen).toBeLessThan(timing.fenceAfterS + 5);
    // Nothing accepted while the agent was stopped; accepted again once the new agent serves.
    expect(r!.mail1AcceptedS.filter((x) => x >= 0 && x < killedS), seen).toEqual([]);
    expect(r!.mail1AcceptedS.filter((x) => x >= backS).length, seen).toBeGreaterThan(0);
    expect(r!.facts, seen).toMatchObject({ restarted: true, supervisorFenced: true });
  }, 600_000);

  it(`${caseNamed('and its supervisor stopped').name}: one standby takes over; MAIL1, going on with stale knowledge, never accepts`, async () => {
    const [r] = await caseNamed('and its supervisor stopped').run(ctx);
    figures(r!);
    oneTookOver(r!);
    // Nothing accepted in any probe round begun once the agent was stopped.
    expect(r!.mail1LastS === null || r!.mail1LastS < 0, JSON.stringify(r)).toBe(true);
    expect(r!.facts.mail1Fence).toBe('handed-over');
  }, 600_000);

  it(`${caseNamed('host frozen').name}: one standby takes over; MAIL1 accepts nothing in the instants after it thaws`, async () => {
    const [r] = await caseNamed('host frozen').run(ctx);
    figures(r!);
    oneTookOver(r!);
    expect(r!.mail1LastS === null || r!.mail1LastS < (r!.facts.thawS as number), JSON.stringify(r)).toBe(true);
    expect(r!.facts.mail1Fence).toBe('handed-over');
  }, 600_000);

  it(`${caseNamed('cannot start').name}: MAIL1 stops accepting at once, its supervisor stops the services, one standby takes over`, async () => {
    const [r] = await caseNamed('cannot start').run(ctx);
    figures(r!);
    oneTookOver(r!);
    expect(r!.mail1LastS === null || r!.mail1LastS < 0, JSON.stringify(r)).toBe(true);
    expect(r!.facts).toMatchObject({ cannotListen: true, crashLoopFenced: true });
  }, 600_000);

  it(`${caseNamed('heal at the moment').name}: never both; MAIL1, healed just as the lease went to a standby, hands over`, async () => {
    const [r] = await caseNamed('heal at the moment').run(ctx);
    figures(r!);
    oneTookOver(r!);
    expect(r!.facts.mail1Fence).toBe('handed-over');
  }, 600_000);
});
