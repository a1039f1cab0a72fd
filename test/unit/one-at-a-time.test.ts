import { describe, expect, it } from 'vitest';
import { OneAtATime } from '../../agent/src/one-at-a-time.ts';

describe('one receive at a time (agent/src/one-at-a-time.ts)', () => {
  it('gives a waiter the turn as soon as the holder lets go, long before the bound', async () => {
    const turn = new OneAtATime();
    expect(turn.take()).toBe(true);
    expect(turn.take()).toBe(false);
    const asked = performance.now();
    const waited = turn.waitTurn(5_000).then(() => performance.now() - asked);
    setTimeout(() => turn.release(), 30);
    const ms = await waited;
    expect(ms).toBeGreaterThanOrEqual(25);
    expect(ms).toBeLessThan(2_000);
    expect(turn.take()).toBe(true);
  });

  it('of two woken waiters, only the first takes the turn', async () => {
    const turn = new OneAtATime();
    turn.take();
    const got: string[] = [];
    const a = turn.waitTurn(5_000).then(() => { if (turn.take()) got.push('a'); });
    const b = turn.waitTurn(5_000).then(() => { if (turn.take()) got.push('b'); });
    turn.release();
    await Promise.all([a, b]);
    expect(got).toEqual(['a']);
    expect(turn.held).toBe(true);
  });

  it('gives up after the bound while the holder keeps the turn, and forgets the waiter', async () => {
    const turn = new OneAtATime();
    turn.take();
    const asked = performance.now();
    await turn.waitTurn(40);
    expect(performance.now() - asked).toBeGreaterThanOrEqual(35);
    expect(turn.take()).toBe(false);
    // A release after the timed-out wait frees the turn for the next taker.
    turn.release();
    expect(turn.held).toBe(false);
    expect(turn.take()).toBe(true);
  });

  it('does not wait when the turn is free', async () => {
    const turn = new OneAtATime();
    const asked = performance.now();
    await turn.waitTurn(5_000);
    expect(performance.now() - asked).toBeLessThan(1_000);
    expect(turn.take()).toBe(true);
  });
});
