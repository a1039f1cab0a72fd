/**
 * The no-split-brain rule on a simulated clock: every combination of cut links among source,
 * target and witness, each host killed, a flapping link, and healing after a failover, with
 * the worst clock drift allowed (the source's clock slow, the witness's fast). In no case do
 * source and target accept mail at the same moment, and failover happens exactly when the
 * source is really gone (dead, or cut off from both others) and the witness can grant it.
 * The lab's partition matrix tests the real agents; this proves the rule itself.
 */
import { describe, expect, it } from 'vitest';
import { failoverSchema, LEAST_TIMEOUT_S } from '../../shared/job.ts';
import { AGENT_START_S, RESTART_DELAY_S, SUPERVISOR_POLL_S, SUPERVISOR_STALE_CHECKS } from '../../shared/supervisor-pace.ts';
import { DEFAULT_TIMING, FAST_TIMING, servingBounds, alertsOnChange, monitorState, shouldFailOver, sourceMayUnfence, sourceMustFence, timingProblem, witnessMayGrant, type MonitorState, type MonitorTiming } from '../../agent/src/monitor/rules.ts';

type Link = 'ST' | 'SW' | 'TW';
type Host = 'S' | 'T' | 'W';
/**
 * `later`: links cut at a later moment (the source cut from the target first, from the witness only
 * later, so only the witness's wait G keeps it from granting). `agent`: the source's agent hangs
 * or exits (and restarts cut off) at the fault while its services run on, until its supervisor's
 * kill or its own two unanswered rounds stop them (shared/supervisor-pace.ts).
 */
interface Fault { cut: Link[]; dead: Host[]; flap?: Link; healAt?: number; later?: { at: number; cut: Link[] }; agent?: 'hung' | 'restarted' }

const DT = 0.05;
const FAULT_AT = 10;
const END = 140;

function simulate(f: Fault, t: MonitorTiming = DEFAULT_TIMING, bootFenced = true) {
  // Each host measures with its own clock; the worst case: the source's runs slow, the witness's fast.
  const rate: Record<Host, number> = { S: 1 - t.drift, T: 1, W: 1 + t.drift };
  const local = (h: Host, real: number) => real * rate[h] * 1000;
  const last = { sT: null as number | null, sW: null as number | null, tHeartbeat: null as number | null, wSource: null as number | null };
  let state: MonitorState = 'healthy';
  let promotedAt: number | null = null;
  let fenceStartedAt: number | null = null;
  /** The host the witness lets serve: the source until it grants the target the lease. */
  let active: Host = 'S';
  let sourceWasAlive = true;
  let bothAccepting = 0;
  for (let real = 0; real < END; real += DT) {
    const faulted = real >= FAULT_AT && (f.healAt === undefined || real < f.healAt);
    const alive = (h: Host) => !(faulted && f.dead.includes(h));
    const up = (l: Link) => {
      if (!faulted) return true;
      if (f.flap === l) return Math.floor((real - FAULT_AT) / 2) % 2 === 1;
      if (f.later && real >= f.later.at && f.later.cut.includes(l)) return false;
      return !f.cut.includes(l);
    };
    // A hung or exited agent sends no heartbeat, whatever its links.
    const agentUp = !(faulted && f.agent);
    const link = (a: Host, b: Host, l: Link) => alive(a) && alive(b) && up(l);
    const beat = Math.abs(real / t.heartbeatS - Math.round(real / t.heartbeatS)) < DT / 2;
    if (beat && agentUp) {
      // The worst round trip: the source counts its contact when the answer arrives, RTTmax after the other side heard it.
      if (link('S', 'T', 'ST')) { last.sT = local('S', real + t.rttMaxS); last.tHeartbeat = local('T', real); }
      if (link('S', 'W', 'SW')) { last.sW = local('S', real + t.rttMaxS); last.wSource = local('W', real); }
    }
    // A source that starts (after a crash or a kill) starts fenced: its services wait for the witness's word.
    if (alive('S') && !sourceWasAlive && bootFenced) { fenceStartedAt = real - t.fenceDeadlineS; }
    sourceWasAlive = alive('S');
    // Source: fence when cut off from both; services are down at the latest after the deadline.
    if (alive('S') && fenceStartedAt === null && sourceMustFence(local('S', real), last.sT, last.sW, t)) { fenceStartedAt = real; }
    if (fenceStartedAt !== null && alive('S') && link('S', 'W', 'SW') && real - fenceStartedAt > t.fenceDeadlineS && sourceMayUnfence({ reached: true, active }, 'S')) {
      fenceStartedAt = null;
    }
    // Its agent hung or gone, the source's services run on until the supervisor (hung) or the restarted agent (cut off) stops them,
    // each time measured on the source's slow clock from the fault (its last stamp, its last heartbeat).
    const agentStop = f.agent === 'hung'
      ? t.heartbeatS + t.fenceAfterS + SUPERVISOR_STALE_CHECKS * SUPERVISOR_POLL_S + 0.1 + AGENT_START_S + t.fenceDeadlineS
      : t.heartbeatS + SUPERVISOR_POLL_S + RESTART_DELAY_S + AGENT_START_S + 2 * (t.heartbeatS + t.rttMaxS) + t.fenceDeadlineS;
    const sourceAccepting = alive('S') && (f.agent && faulted
      ? real - FAULT_AT < agentStop / rate.S
      : fenceStartedAt === null || real - fenceStartedAt < t.fenceDeadlineS);
    // Target: its monitor, and the lease from the witness.
    if (alive('T')) {
      const witnessSees = link('T', 'W', 'TW') ? (last.wSource !== null && (local('W', real) - last.wSource) / 1000 < t.suspectAfterS) : null;
      state = monitorState(state, { now: local('T', real), lastHeartbeat: last.tHeartbeat, witnessSeesSource: witnessSees, mode: 'automatic' }, t);
      if (shouldFailOver(state, 'automatic', false) && link('T', 'W', 'TW') && witnessMayGrant(local('W', real), last.wSource, t)) {
        active = 'T';
        state = 'failed-over';
        promotedAt = real;
      }
    }
    const targetAccepting = alive('T') && promotedAt !== null;
    if (sourceAccepting && targetAccepting) bothAccepting++;
  }
  return { failedOver: promotedAt !== null, promotedAfter: promotedAt === null ? null : promotedAt - FAULT_AT, bothAccepting, state };
}

const LINKS: Link[] = ['ST', 'SW', 'TW'];
/** The earliest a failover may come, from the fault: the target's timeout, or the witness's wait after it last heard the source. */
const earliest = (f: Fault, t: MonitorTiming) => Math.max(t.timeoutS, f.later ? f.later.at - FAULT_AT + t.grantAfterS : 0);
const subsets = <T,>(xs: T[]): T[][] => xs.reduce<T[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]);

describe('the no-split-brain rule (simulated clocks, worst drift)', () => {
  it('the job\'s least timeout of each profile is the witness\'s wait before it grants', () => {
    expect(LEAST_TIMEOUT_S).toEqual({ standard: DEFAULT_TIMING.grantAfterS, fast: FAST_TIMING.grantAfterS });
    expect(failoverSchema.safeParse({ timeoutSeconds: DEFAULT_TIMING.grantAfterS }).success).toBe(true);
    expect(failoverSchema.safeParse({ timeoutSeconds: DEFAULT_TIMING.grantAfterS - 1 }).success).toBe(false);
    expect(failoverSchema.safeParse({ timeoutSeconds: FAST_TIMING.grantAfterS, profile: 'fast' }).success).toBe(true);
    expect(failoverSchema.parse({}).timeoutSeconds).toBe(60);
  });

  it('the default timing satisfies it, and a bad one is refused in plain words', () => {
    expect(timingProblem(DEFAULT_TIMING)).toBeNull();
    expect(timingProblem({ ...DEFAULT_TIMING, grantAfterS: 9 })).toMatch(/before a cut-off source is sure to have stopped its services \(9\.1 s\)/);
    expect(timingProblem({ ...DEFAULT_TIMING, timeoutS: 9 })).toMatch(/choose at least 10 s/);
    // A source whose agent restarted, or hung until its supervisor killed it, must have stopped its services before the grant too.
    expect(timingProblem({ ...DEFAULT_TIMING, heartbeatS: 1 })).toMatch(/before a source whose agent restarted is sure to have stopped its services \(10\.2 s\)/);
    // A longer D fails the hung agent's bound first (its last word can be a whole round before it hung), not the cut-off one.
    expect(timingProblem({ ...DEFAULT_TIMING, fenceDeadlineS: 2.5 })).toMatch(/before a source whose agent hung is sure to have stopped its services \(10\.3 s\)/);
    expect(timingProblem({ ...FAST_TIMING, grantAfterS: 8, timeoutS: 12 })).toMatch(/before a source whose agent hung/);
    const b = servingBounds(DEFAULT_TIMING);
    expect([b.cut, b.restarted, b.hung].map((x) => Number(x.toFixed(3)))).toEqual([9.04, 8.585, 9.696]);
    expect(timingProblem(FAST_TIMING)).toBeNull();
  });

  const cases: Array<[string, Fault]> = [
    ...subsets(LINKS).map((cut): [string, Fault] => [`cut ${cut.join('+') || 'nothing'}`, { cut, dead: [] }]),
    ...(['S', 'T', 'W'] as Host[]).map((h): [string, Fault] => [`${h} killed`, { cut: [], dead: [h] }]),
    ['S killed, T–W cut', { cut: ['TW'], dead: ['S'] }],
    ['S–T flapping', { cut: [], dead: [], flap: 'ST' }],
    ['S–W flapping', { cut: [], dead: [], flap: 'SW' }],
    ['S cut off, then everything heals after the failover', { cut: ['ST', 'SW'], dead: [], healAt: 110 }],
    ['S killed, then back after the failover', { cut: [], dead: ['S'], healAt: 110 }],
    // Only the witness's wait holds the grant back: the target lost the source long before the witness did.
    ['S–T cut, S–W cut 40 s later', { cut: ['ST'], dead: [], later: { at: 50, cut: ['SW'] } }],
    ['S\'s agent hung, its services running until the supervisor kills it', { cut: [], dead: [], agent: 'hung' }],
    ['S\'s agent exited and restarted, cut off from both', { cut: ['ST', 'SW'], dead: [], agent: 'restarted' }],
  ];

  it.each(cases)('%s: never both accepting; failover exactly when the source is gone and the witness can grant', (_name, f) => {
    const r = simulate(f);
    expect(r.bothAccepting).toBe(0);
    const sourceGone = f.dead.includes('S') || !!f.agent || (f.cut.includes('ST') && f.cut.includes('SW')) || (f.cut.includes('ST') && !!f.later?.cut.includes('SW'));
    const leaseReachable = !f.dead.includes('W') && !f.dead.includes('T') && !f.cut.includes('TW');
    expect(r.failedOver).toBe(sourceGone && leaseReachable);
    // When it fails over, it does so after the timeout and within a few seconds of it.
    if (r.failedOver) expect(r.promotedAfter!).toBeGreaterThanOrEqual(earliest(f, DEFAULT_TIMING) - 1);
    if (r.failedOver) expect(r.promotedAfter!).toBeLessThan(earliest(f, DEFAULT_TIMING) + 3);
  });

  it.each(cases)('%s, at the least timeout (10 s, the witness\'s wait): the same holds, failover within 3 s of it', (_name, f) => {
    const floor = { ...DEFAULT_TIMING, timeoutS: DEFAULT_TIMING.grantAfterS };
    expect(floor.timeoutS).toBe(10);
    expect(timingProblem(floor)).toBeNull();
    const r = simulate(f, floor);
    expect(r.bothAccepting).toBe(0);
    const sourceGone = f.dead.includes('S') || !!f.agent || (f.cut.includes('ST') && f.cut.includes('SW')) || (f.cut.includes('ST') && !!f.later?.cut.includes('SW'));
    const leaseReachable = !f.dead.includes('W') && !f.dead.includes('T') && !f.cut.includes('TW');
    expect(r.failedOver).toBe(sourceGone && leaseReachable);
    if (r.failedOver) expect(r.promotedAfter!).toBeGreaterThanOrEqual(earliest(f, floor) - 0.5);
    if (r.failedOver) expect(r.promotedAfter!).toBeLessThan(earliest(f, floor) + 3);
  });

  it.each(cases)('%s, on the lab\'s fast profile: the same holds', (_name, f) => {
    expect(timingProblem(FAST_TIMING)).toBeNull();
    const r = simulate(f, FAST_TIMING);
    expect(r.bothAccepting).toBe(0);
    const sourceGone = f.dead.includes('S') || !!f.agent || (f.cut.includes('ST') && f.cut.includes('SW')) || (f.cut.includes('ST') && !!f.later?.cut.includes('SW'));
    const leaseReachable = !f.dead.includes('W') && !f.dead.includes('T') && !f.cut.includes('TW');
    expect(r.failedOver).toBe(sourceGone && leaseReachable);
    if (r.failedOver) expect(r.promotedAfter!).toBeGreaterThanOrEqual(earliest(f, FAST_TIMING) - 0.5);
  });

  it('would split the brain if a restarted source served before asking the witness', () => {
    const r = simulate({ cut: [], dead: ['S'], healAt: 110 }, DEFAULT_TIMING, false);
    expect(r.failedOver).toBe(true);
    expect(r.bothAccepting).toBeGreaterThan(0);
  });

  it.each([
    ['the target lost the source first', { cut: ['ST'], dead: [], later: { at: 50, cut: ['SW'] } }, 7],
    ['a hung agent', { cut: [], dead: [], agent: 'hung' }, 8],
    ['a restarted agent cut off', { cut: ['ST', 'SW'], dead: [], agent: 'restarted' }, 8],
  ] as Array<[string, Fault, number]>)('would split the brain with a witness that grants too early: %s (so these cases can fail)', (_name, f, grant) => {
    const r = simulate(f, { ...DEFAULT_TIMING, grantAfterS: grant, timeoutS: grant });
    expect(r.failedOver).toBe(true);
    expect(r.bothAccepting).toBeGreaterThan(0);
  });

  it('would split the brain with a witness that grants too early (so the test can fail)', () => {
    const r = simulate({ cut: ['ST', 'SW'], dead: [] }, { ...DEFAULT_TIMING, grantAfterS: 5, timeoutS: 5 });
    expect(r.failedOver).toBe(true);
    expect(r.bothAccepting).toBeGreaterThan(0);
  });
});

describe('which changes of the monitor are sent as alerts', () => {
  it('sends a suspicion only once it lasts, and its end only when it was sent; losing the source always', () => {
    expect(alertsOnChange('healthy', 'source-suspect', false)).toBe(false);
    expect(alertsOnChange('source-suspect', 'healthy', false)).toBe(false);
    expect(alertsOnChange('source-suspect', 'healthy', true)).toBe(true);
    expect(alertsOnChange('source-suspect', 'source-lost', false)).toBe(true);
    expect(alertsOnChange('source-lost', 'healthy', false)).toBe(true);
    expect(alertsOnChange('healthy', 'failing-over', false)).toBe(true);
  });
});
