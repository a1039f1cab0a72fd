/**
 * The faults that broke the "one server serves" promise, as cases on the lab with MAIL1 protected
 * to two standbys (MAIL2, MAIL3) in automatic mode, acceptance probed on all three five times a
 * second (RCPT TO answered 250). The source's agent stopped is two cases: with its supervisor
 * running (the agent is killed once its stamp is older than F, another starts, and MAIL1 serves
 * again with no failover) and with the supervisor stopped too (a standby takes over). Shared by the lab test (fast monitor profile) and the failover
 * benchmark (standard constants). Each case starts from a freshly protected job and says what it
 * saw; the caller asserts (the test) or adds up (the benchmark).
 */
import type { MonitorTiming } from '../../agent/src/monitor/rules.ts';
import { agentEvents, inHost, lab, labStatus, until } from './helpers.ts';
import { accepting, MAIL1, monitorOf, probed, type Probed } from './partition.ts';

export interface FaultContext {
  timing: MonitorTiming;
  /** The job protected again from a clean lab, healthy and MAIL1 accepting. */
  fresh(): Promise<void>;
  say(m: string): void;
}

export interface FaultRun {
  name: string;
  probed: Probed;
  /** The standbys that reached failed-over, and the one the witness names. */
  failedOver: string[];
  holder: string | null;
  /** Seconds from the fault to the new holder's first accepted RCPT (null: nobody took over). */
  takeoverS: number | null;
  /** Seconds from the fault to MAIL1's last accepted RCPT (null: never after it). */
  mail1LastS: number | null;
  /** Seconds from the fault to each round in which MAIL1 accepted (negative: before it). */
  mail1AcceptedS: number[];
  /** Case-specific facts the test asserts on. */
  facts: Record<string, unknown>;
}

const sh = (host: string, cmd: string) => inHost(labStatus(), host, cmd);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STANDBYS = ['mail2', 'mail3'] as const;
const HOSTS = ['mail1', 'mail2', 'mail3'] as const;
const AGENT = "'/opt/failguard/[a]gent.mjs run'";
const SUPERVISOR = "'/opt/failguard/[a]gentd supervise'";

export const failedOverNow = () => STANDBYS.filter((h) => monitorOf(h)?.state === 'failed-over');
/** What the witness's lease says now: who may serve, under which epoch. */
const witnessLease = () => { const m = monitorOf('witness') as { active?: string; epoch?: number } | undefined; return m ? { active: m.active, epoch: m.epoch } : undefined; };

/** How long to wait for a takeover: the timeout, the failover plan (lease, promote, DNS, 500 re-homes, services), and room. */
const takeoverMs = (t: MonitorTiming) => (t.timeoutS + 90) * 1000;

/**
 * Probes while `act` runs the fault and what follows; `act` calls `mark('fault')` once the fault is
 * in effect and may mark other moments (`thaw`…). Every time in the result counts from the fault,
 * in seconds, by when the probe round began: a round begun before the mark is negative.
 */
async function faultRun(name: string, act: (mark: (moment: string) => void) => Promise<Record<string, unknown> | void>): Promise<FaultRun> {
  const moments: Record<string, number> = {};
  let facts: Record<string, unknown> = {};
  const p = await probed(async () => { facts = (await act((m) => { moments[m] = Date.now(); })) ?? {}; }, HOSTS);
  const faultS = ((moments.fault ?? p.startedAt) - p.startedAt) / 1000;
  const rel = (s: number | null) => (s === null ? null : Number((s - faultS).toFixed(1)));
  for (const [m, at] of Object.entries(moments)) if (m !== 'fault') facts[`${m}S`] = rel((at - p.startedAt) / 1000);
  const holder = witnessLease()?.active ?? null;
  const holderKey = holder?.toLowerCase();
  const firstOfHolder = holderKey && holderKey !== 'mail1' ? p.firstS[holderKey] ?? null : null;
  const mail1Last = p.lastS.mail1 ?? null;
  return { name, probed: p, failedOver: failedOverNow(), holder, takeoverS: rel(firstOfHolder), mail1LastS: mail1Last !== null && mail1Last >= faultS ? rel(mail1Last) : null,
    mail1AcceptedS: (p.acceptedS.mail1 ?? []).map((s) => rel(s)!), facts };
}

interface AgentState { received?: { newest: string | null; lastFrom: string | null }; targets?: Record<string, { sends: number; fullSends: number; lastParent: string | null; lastPoint: string | null }> }
const stateOf = (host: string) => JSON.parse(sh(host, 'cat /var/lib/failguard/state.json 2>/dev/null').stdout || '{}') as AgentState;

/** Writes a file on the holder's live data and waits until the loser's newest point holds it; what both sides then say. */
async function follows(holder: string, loser: string): Promise<Record<string, unknown>> {
  const token = `follow-${Date.now()}`;
  sh(holder, `echo ${token} > /srv/mail/${token}`);
  const has = () => { const n = stateOf(loser).received?.newest; return !!n && sh(loser, `cat /srv/.failguard/received/${n}/${token}`).stdout.trim() === token; };
  const arrived = await until(() => `${token} to reach ${loser}'s newest point (${JSON.stringify(stateOf(loser).received)})`, has, 60_000, 500).then(() => true, () => false);
  const promoted = (JSON.parse(sh(holder, 'cat /var/lib/failguard/promoted.json').stdout || '{}') as { point?: string }).point ?? null;
  return { arrived, promoted, loserReceived: stateOf(loser).received, holderSent: stateOf(holder).targets?.[loser.toUpperCase()] ?? null };
}

/** Waits until a standby has failed over (or the time is up), then probes on for `moreMs`. */
async function takeover(t: MonitorTiming, moreMs = 5000): Promise<void> {
  await until(() => `a standby to fail over (MAIL2 ${JSON.stringify(monitorOf('mail2'))}, MAIL3 ${JSON.stringify(monitorOf('mail3'))})`, () => failedOverNow().length > 0, takeoverMs(t), 250);
  await sleep(moreMs);
}

/**
 * Between cases, the job as it was before the failover, without provisioning it again: the agents
 * stopped, the standby that took over back to its own data with its services stopped, every
 * marker of the failover and the witness's lease gone (a test's shortcut: the product's unprotect
 * keeps the lease), MAIL1 thawed, started and healed. Protecting again then only starts the agents.
 * Directory and DNS stay as the last failover left them: the next one moves them again.
 */
export function undoFailover(): void {
  lab('thaw', 'mail1');
  lab('start', 'mail1');
  for (const p of ['mail2', 'mail3', 'witness']) lab('heal', 'mail1', p);
  const agent = '/opt/failguard/bin/node /opt/failguard/agent.mjs';
  sh('mail1', 'pkill -f fg-port-holder; true');
  for (const h of ['witness', 'mail1', 'mail2', 'mail3']) sh(h, '/opt/failguard/agentd stop; true');
  for (const h of STANDBYS) sh(h, `${agent} unserve /etc/failguard/agent.json; ${agent} unpromote /etc/failguard/agent.json; true`);
  for (const h of ['witness', 'mail1', 'mail2', 'mail3']) sh(h, 'cd /var/lib/failguard && rm -f lease.json lease-history.jsonl heard.json phase.json promoted.json handover.json standby-promise.json lease-asking lease-asking-* alive state.json; true');
}

export interface FaultCase { name: string; run(ctx: FaultContext): Promise<FaultRun[]> }

export const FAULT_CASES: FaultCase[] = [
  {
    // Then, on the same job: the old source's host rebooted after the failover, and the witness restarted while a standby holds the lease.
    name: 'two standbys, the source killed',
    async run(ctx) {
      await ctx.fresh();
      const killed = await faultRun('two standbys, the source killed', async (mark) => {
        lab('kill', 'mail1');
        mark('fault');
        await takeover(ctx.timing);
        const loser = STANDBYS.find((h) => monitorOf(h)?.state !== 'failed-over');
        return { loser, loserView: loser ? monitorOf(loser) : null };
      });
      const loser = killed.facts.loser as string | undefined;
      const rebooted = await faultRun('the old source\'s host rebooted after a failover', async (mark) => {
        mark('fault');
        lab('start', 'mail1');
        await until(() => `MAIL1's agent to start at boot (${JSON.stringify(monitorOf('mail1'))})`, () => monitorOf('mail1')?.fence === 'handed-over', 60_000, 250);
        await sleep(3 * ctx.timing.fenceAfterS * 1000);
        return { mail1Fence: monitorOf('mail1')?.fence, postfixRunning: sh('mail1', 'postfix status >/dev/null 2>&1 && echo yes || echo no').stdout.trim() === 'yes' };
      });
      const before = witnessLease();
      const witness = await faultRun('the witness restarted while a standby holds the lease', async (mark) => {
        mark('fault');
        lab('kill', 'witness');
        await sleep(ctx.timing.fenceAfterS * 1000);
        lab('start', 'witness');
        await sleep((ctx.timing.grantAfterS + 2 * ctx.timing.fenceAfterS) * 1000);
        // The standby that was not chosen asks for the lease itself (as a person's failover would): refused, naming the holder.
        const asked = loser ? sh(loser, '/opt/failguard/bin/node /opt/failguard/agent.mjs lease /etc/failguard/agent.json') : null;
        return { leaseBefore: before, leaseAfter: witnessLease(), loserAsked: asked && { code: asked.code, said: asked.stderr.trim() } };
      });
      // The standby not chosen follows the holder: a file written on the holder's data after the
      // failover reaches the loser's newest point, sent incrementally from a point both hold.
      if (loser && witness.holder) witness.facts.follow = await follows(witness.holder.toLowerCase(), loser);
      return [killed, rebooted, witness];
    },
  },
  {
    // Its supervisor runs on: it kills the agent once its stamp is older than F and starts another,
    // which (fenced until the witness names MAIL1 again) serves again before any standby may ask.
    name: 'the source\'s agent stopped (SIGSTOP), its supervisor running',
    async run(ctx) {
      await ctx.fresh();
      const pid = sh('mail1', `pgrep -f ${AGENT}`).stdout.trim().split('\n')[0]!;
      return [await faultRun(this.name, async (mark) => {
        const since = Date.now();
        sh('mail1', `kill -STOP ${pid}`);
        mark('fault');
        await until(() => `the supervisor to kill the stopped agent (pid ${pid})`, () => sh('mail1', `kill -0 ${pid}`).code !== 0, 120_000, 100);
        mark('killed');
        await until(() => `MAIL1 to serve again (${JSON.stringify(monitorOf('mail1'))})`, async () => monitorOf('mail1')?.fence === 'serving' && await accepting(MAIL1), 120_000, 250);
        mark('back');
        await sleep(3000);
        const now = sh('mail1', `pgrep -f ${AGENT}`).stdout.trim();
        return { restarted: !!now && now !== pid, supervisorFenced: agentEvents('mail1').some((e) => e.kind === 'supervisor' && e.action === 'stale' && e.at >= since - 1000) };
      })];
    },
  },
  {
    // The supervisor hung too: nothing on MAIL1 can act, so a standby takes over; when both go on, MAIL1 hands over.
    name: 'the source\'s agent and its supervisor stopped (SIGSTOP)',
    async run(ctx) {
      await ctx.fresh();
      return [await faultRun(this.name, async (mark) => {
        sh('mail1', `pkill -STOP -f ${SUPERVISOR}; pkill -STOP -f ${AGENT}`);
        mark('fault');
        await takeover(ctx.timing);
        // It goes on where it stopped, with stale knowledge (or its supervisor, going on first, kills it).
        sh('mail1', `pkill -CONT -f ${AGENT}; pkill -CONT -f ${SUPERVISOR}; true`);
        await sleep(3 * ctx.timing.fenceAfterS * 1000);
        return { mail1Fence: monitorOf('mail1')?.fence };
      })];
    },
  },
  {
    name: 'the whole source host frozen, then resumed',
    async run(ctx) {
      await ctx.fresh();
      return [await faultRun(this.name, async (mark) => {
        lab('freeze', 'mail1');
        mark('fault');
        await takeover(ctx.timing, 2000);
        mark('thaw');
        lab('thaw', 'mail1');
        await sleep(Math.max(10_000, 3 * ctx.timing.fenceAfterS * 1000));
        return { mail1Fence: monitorOf('mail1')?.fence };
      })];
    },
  },
  {
    name: 'the source\'s agent cannot start (its port taken: a crash loop)',
    async run(ctx) {
      await ctx.fresh();
      const port = 7420;
      return [await faultRun(this.name, async (mark) => {
        // Killed, and its port taken before the supervisor starts it again (a second later): every start fails.
        const since = Date.now();
        sh('mail1', `pkill -KILL -f ${AGENT}; (setsid python3 -c "import socket,time,sys; sys.argv[0]='fg-port-holder'; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', ${port})); s.listen(); time.sleep(900)" fg-port-holder >/dev/null 2>&1 &)`);
        mark('fault');
        await takeover(ctx.timing);
        const events = agentEvents('mail1').filter((e) => e.at >= since - 1000);
        return { crashLoopFenced: events.some((e) => e.kind === 'supervisor' && e.action === 'crash-loop'), cannotListen: events.some((e) => e.kind === 'agent' && e.action === 'error' && e.message.startsWith('cannot listen on')) };
      })];
    },
  },
  {
    name: 'a heal at the moment of the grant',
    async run(ctx) {
      await ctx.fresh();
      return [await faultRun(this.name, async (mark) => {
        // Cut from every peer (this machine's probes still reach it), healed the moment the witness grants.
        const peers = ['mail2', 'mail3', 'witness'];
        // Only a grant logged from now on counts (the log keeps earlier cases' grants).
        const grants = () => agentEvents('witness').filter((e) => e.kind === 'lease' && e.action === 'granted').length;
        const before = grants();
        mark('fault');
        for (const p of peers) lab('cut', 'mail1', p);
        await until('the witness to grant the lease', () => grants() !== before, takeoverMs(ctx.timing), 100);
        for (const p of peers) lab('heal', 'mail1', p);
        mark('heal');
        await takeover(ctx.timing);
        await until(() => `MAIL1 to learn it handed over (${JSON.stringify(monitorOf('mail1'))})`, () => monitorOf('mail1')?.fence === 'handed-over', 30_000, 250);
        await sleep(2000);
        return { mail1Fence: monitorOf('mail1')?.fence };
      })];
    },
  },
];
