/**
 * One server serves, with any number of standbys, on simulated clocks at the worst drift: the
 * witness's lease goes to one standby only (leaseRefusal), and the source admits mail only while
 * its right to serve was affirmed lately — by the witness, or by every standby answering as one
 * (sourceAdmits, with the standby's promise). Faults: the source killed, frozen and resumed, cut
 * off from the witness (with a person clicking "fail over" on a standby), cut off from all.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMING, leaseRefusal, monitorState, shouldFailOver, sourceAdmits, standbyPromiseS, witnessMayGrant, type MonitorState, type MonitorTiming } from '../../agent/src/monitor/rules.ts';

interface Fault {
  standbys: number;
  /** Real seconds in which the source's host is dead (killed) or frozen (stopped, then resumed with what it knew). */
  sourceDown?: [number, number];
  frozen?: boolean;
  /** Links cut from FAULT_AT on: 'S-W', 'S-T1', 'T2-W'… */
  cut?: string[];
  /** A person clicks "fail over" on this standby at this real second (alert mode). */
  click?: { standby: number; at: number };
  mode?: 'automatic' | 'alert';
}

const DT = 0.05;
const FAULT_AT = 10;
const END = 150;

function simulate(f: Fault, t: MonitorTiming = DEFAULT_TIMING, refuse: typeof leaseRefusal = leaseRefusal) {
  const names = Array.from({ length: f.standbys }, (_, i) => `T${i + 1}`);
  // Worst drift: the source's clock slow, the witness's fast, the standbys spread between.
  const rate: Record<string, number> = { S: 1 - t.drift, W: 1 + t.drift, ...Object.fromEntries(names.map((n, i) => [n, 1 + t.drift * (i % 2 ? 1 : -1)])) };
  const local = (h: string, real: number) => real * rate[h]! * 1000;
  const sourceUp = (real: number) => !f.sourceDown || real < f.sourceDown[0] || real >= f.sourceDown[1];
  const faulted = (real: number) => real >= FAULT_AT;
  const link = (a: string, b: string, real: number) => !(faulted(real) && (f.cut ?? []).some((c) => c === `${a}-${b}` || c === `${b}-${a}`));
  const w = { lastSource: 0 as number | null, active: 'S', heard: true };
  const src = { witnessAt: null as number | null, standbyAt: new Map<string, number>(), witnessActive: 'S' };
  const tg = new Map(names.map((n) => [n, { state: 'healthy' as MonitorState, lastHeartbeat: 0 as number | null, answeredAt: null as number | null, promoted: false }]));
  let multiple = 0;
  let sourceAccepted = 0;
  const promotedBy: string[] = [];
  let sourceWasUp = true;
  for (let real = 0; real < END; real += DT) {
    // Killed and started again: the agent begins knowing nothing. Frozen and thawed: it goes on with what it knew, on a clock that moved on.
    if (sourceUp(real) && !sourceWasUp && !f.frozen) Object.assign(src, { witnessAt: null, standbyAt: new Map(), witnessActive: '' });
    sourceWasUp = sourceUp(real);
    const beat = Math.abs(real - Math.round(real)) < DT / 2;
    if (beat && sourceUp(real)) {
      if (link('S', 'W', real)) {
        w.lastSource = local('W', real);
        src.witnessActive = w.active;
        if (w.active === 'S') src.witnessAt = local('S', real);
      }
      for (const n of names) {
        const x = tg.get(n)!;
        if (!link('S', n, real)) continue;
        x.lastHeartbeat = local(n, real);
        if (!x.promoted) { x.answeredAt = local(n, real); src.standbyAt.set(n, local('S', real)); }
      }
    }
    for (const n of names) {
      const x = tg.get(n)!;
      if (x.promoted) continue;
      const witnessSees = link(n, 'W', real) ? w.lastSource !== null && (local('W', real) - w.lastSource) / 1000 < t.suspectAfterS : null;
      x.state = monitorState(x.state, { now: local(n, real), lastHeartbeat: x.lastHeartbeat, witnessSeesSource: witnessSees, mode: f.mode ?? 'automatic' }, t);
      const clicked = f.click?.standby === names.indexOf(n) + 1 && real >= f.click.at;
      const wants = shouldFailOver(x.state, f.mode ?? 'automatic', false) || clicked;
      const promiseKept = x.answeredAt === null || (local(n, real) - x.answeredAt) / 1000 >= standbyPromiseS(t);
      if (wants && promiseKept && link(n, 'W', real)) {
        const refusal = refuse({ now: local('W', real), lastSource: w.lastSource, from: n, source: 'S', active: w.active, heardSource: w.heard, blocked: null }, t);
        if (!refusal) { w.active = n; x.promoted = true; promotedBy.push(n); }
      }
    }
    const sourceAccepting = sourceUp(real) && sourceAdmits(local('S', real), { serving: src.witnessActive === 'S', hasWitness: true, witnessAt: src.witnessAt, targetsAt: names.map((n) => src.standbyAt.get(n) ?? null) }, t);
    if (sourceAccepting && faulted(real)) sourceAccepted++;
    const accepting = (sourceAccepting ? 1 : 0) + names.filter((n) => tg.get(n)!.promoted).length;
    if (accepting > 1) multiple++;
  }
  return { multiple, promotedBy, sourceAcceptedS: sourceAccepted * DT };
}

describe('one lease holder and fail-closed admission, with N standbys (simulated clocks, worst drift)', () => {
  it.each([2, 3, 5])('%i standbys, the source killed: exactly one takes over, never two accepting', (n) => {
    const r = simulate({ standbys: n, sourceDown: [FAULT_AT, END] });
    expect(r.multiple).toBe(0);
    expect(r.promotedBy).toHaveLength(1);
  });

  it.each([true, false])('2 standbys, the source down for 75 s (frozen: %s) and back: one takes over, and the source admits nothing once back', (frozen) => {
    const r = simulate({ standbys: 2, sourceDown: [FAULT_AT, FAULT_AT + 75], frozen });
    expect(r.promotedBy).toHaveLength(1);
    expect(r.multiple).toBe(0);
    expect(r.sourceAcceptedS).toBe(0);
  });

  it('would accept after a thaw if admission were judged by when the answer arrived, not by when it was asked (so the test can fail)', () => {
    // A frozen source whose last round trip was answered while it was frozen: judged on arrival, the stale answer looks fresh.
    const t = DEFAULT_TIMING;
    const sentAt = 9_000;
    const thawedAt = 60_000;
    expect(sourceAdmits(thawedAt, { serving: true, hasWitness: true, witnessAt: sentAt, targetsAt: [] }, t)).toBe(false);
    expect(sourceAdmits(thawedAt, { serving: true, hasWitness: true, witnessAt: thawedAt, targetsAt: [] }, t)).toBe(true);
  });

  it('the source cut off from the witness only: it keeps taking mail on its standbys\' word, and a click on a standby that still hears it is held back', () => {
    const r = simulate({ standbys: 2, cut: ['S-W'], mode: 'alert', click: { standby: 1, at: 60 } });
    expect(r.multiple).toBe(0);
    expect(r.promotedBy).toEqual([]);
    expect(r.sourceAcceptedS).toBeGreaterThan(END - FAULT_AT - 2);
  });

  it('the source cut off from the witness and one standby: it stops taking mail within the fence time, and a click there takes over alone', () => {
    const r = simulate({ standbys: 2, cut: ['S-W', 'S-T1'], mode: 'alert', click: { standby: 1, at: 60 } });
    expect(r.multiple).toBe(0);
    expect(r.promotedBy).toEqual(['T1']);
    expect(r.sourceAcceptedS).toBeLessThanOrEqual(DEFAULT_TIMING.fenceAfterS + 1);
  });

  it('the source cut off from all: one standby takes over; the source stopped before', () => {
    const r = simulate({ standbys: 3, cut: ['S-W', 'S-T1', 'S-T2', 'S-T3'] });
    expect(r.multiple).toBe(0);
    expect(r.promotedBy).toHaveLength(1);
    expect(r.sourceAcceptedS).toBeLessThanOrEqual(DEFAULT_TIMING.fenceAfterS + 1);
  });

  it('would let two standbys take over with the old rule, the lease to whoever asks once the source is silent (so the test can fail)', () => {
    const old: typeof leaseRefusal = (a, t) => (a.from === a.source ? 'not a standby' : witnessMayGrant(a.now, a.lastSource, t) ? null : 'heard lately');
    const r = simulate({ standbys: 2, sourceDown: [FAULT_AT, END] }, DEFAULT_TIMING, old);
    expect(r.promotedBy.sort()).toEqual(['T1', 'T2']);
    expect(r.multiple).toBeGreaterThan(0);
  });
});

describe('the witness\'s lease rule', () => {
  const ask = { now: 60_000, lastSource: 0, source: 'MAIL1', heardSource: true, blocked: null };
  it('refuses a second standby, naming the holder; the holder asking again keeps it', () => {
    expect(leaseRefusal({ ...ask, from: 'MAIL3', active: 'MAIL2' }, DEFAULT_TIMING)).toMatch(/^MAIL2 holds the lease already/);
    expect(leaseRefusal({ ...ask, from: 'MAIL2', active: 'MAIL2' }, DEFAULT_TIMING)).toBeNull();
  });
  it('refuses while the source was heard lately, the source itself, and a blocked lease', () => {
    expect(leaseRefusal({ ...ask, from: 'MAIL2', active: 'MAIL1', lastSource: 55_000 }, DEFAULT_TIMING)).toMatch(/heard MAIL1 5\.0 s ago/);
    expect(leaseRefusal({ ...ask, from: 'MAIL1', active: 'MAIL1' }, DEFAULT_TIMING)).toMatch(/not a standby/);
    // A host the job no longer has (its certificate still valid) is never granted it; the job's standbys are.
    expect(leaseRefusal({ ...ask, from: 'MAIL9', active: 'MAIL1', standbys: ['MAIL2', 'MAIL3'] }, DEFAULT_TIMING)).toBe('MAIL9 is not a standby of this job');
    expect(leaseRefusal({ ...ask, from: 'MAIL3', active: 'MAIL1', standbys: ['MAIL2', 'MAIL3'] }, DEFAULT_TIMING)).toBeNull();
    expect(leaseRefusal({ ...ask, from: 'MAIL2', active: '', blocked: 'the lease file is corrupt' }, DEFAULT_TIMING)).toBe('the lease file is corrupt');
    expect(leaseRefusal({ ...ask, from: 'MAIL2', active: 'MAIL1', heardSource: false }, DEFAULT_TIMING)).toMatch(/has not heard MAIL1 once/);
  });
});

describe('the source\'s admission', () => {
  const base = { serving: true, hasWitness: true, witnessAt: null, targetsAt: [] as Array<number | null> };
  it('admits within the fence time of an affirming round trip\'s sending, by the witness or by every standby', () => {
    expect(sourceAdmits(20_000, { ...base, witnessAt: 16_001 }, DEFAULT_TIMING)).toBe(true);
    expect(sourceAdmits(20_000, { ...base, witnessAt: 16_000 }, DEFAULT_TIMING)).toBe(false);
    expect(sourceAdmits(20_000, { ...base, targetsAt: [17_000, 16_500] }, DEFAULT_TIMING)).toBe(true);
    expect(sourceAdmits(20_000, { ...base, targetsAt: [17_000, 16_000] }, DEFAULT_TIMING)).toBe(false);
    expect(sourceAdmits(20_000, { ...base, targetsAt: [15_000, null] }, DEFAULT_TIMING)).toBe(false);
    expect(sourceAdmits(20_000, { ...base, targetsAt: [] }, DEFAULT_TIMING)).toBe(false);
  });
  it('never while not confirmed as the host that serves; always without a witness', () => {
    expect(sourceAdmits(20_000, { ...base, serving: false, witnessAt: 19_999 }, DEFAULT_TIMING)).toBe(false);
    expect(sourceAdmits(20_000, { ...base, hasWitness: false, serving: false }, DEFAULT_TIMING)).toBe(true);
  });
  it('the standby\'s promise outlasts the source\'s trust in it at the worst drift', () => {
    const t = DEFAULT_TIMING;
    expect(standbyPromiseS(t) * (1 - t.drift)).toBeGreaterThan(t.fenceAfterS * (1 + t.drift) + t.rttMaxS);
  });
});
