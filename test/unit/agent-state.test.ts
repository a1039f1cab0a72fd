/**
 * One schema for what an agent writes about itself: what the agent's StateFile writes parses
 * back as it was; an older agent's file (fewer fields) gets the defaults; a file that does not
 * fit is refused in one sentence naming the field.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFile } from '../../agent/src/state.ts';
import { parseAgentState } from '../../shared/agent-state.ts';

describe('the agent\'s state file', () => {
  it('what the agent writes is what the app reads, field for field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-state-'));
    const st = new StateFile(dir, { version: '0.9.0', jobId: 'j', host: 'MAIL1', role: 'source', pid: 42, node: 'v24.0.0', startedAt: 1, configSha256: 'c', points: ['p0000000001-1800000000000'],
      targets: { MAIL2: { state: 'idle', lastPoint: 'p0000000001-1800000000000', lastPointAt: 1_800_000_000_000, lastParent: null, sends: 1, fullSends: 1, bytesRaw: 10, bytesWire: 5, current: null, lastError: null, limitBytesPerSecond: null, lastSend: null, lastFullSend: null } },
      received: { count: 0, newest: null, newestAt: null, lastFrom: null },
      monitor: { role: 'source', lastTargetAgoS: 0.4, lastWitnessAgoS: 0.6, fenceDue: false, fence: 'serving', fenceSince: 5, active: 'MAIL1', epoch: 0 } });
    st.flush();
    const text = readFileSync(join(dir, 'state.json'), 'utf8');
    expect(parseAgentState(text)).toEqual(JSON.parse(text));
  });

  it('an older agent\'s file gets the defaults; one that does not fit is refused, naming the field', () => {
    const old = { version: '0.1.0', host: 'MAIL2', role: 'target', pid: 1, node: 'v22', updatedAt: 2, points: [], targets: {}, received: { count: 3, newest: null, newestAt: null } };
    expect(parseAgentState(JSON.stringify(old))).toMatchObject({ jobId: '', configSha256: '', startedAt: 0, received: { count: 3, lastFrom: null } });
    expect(() => parseAgentState(JSON.stringify({ ...old, role: 'boss' }))).toThrow(/^the agent's state does not fit what this version of Failguard reads \(role: /);
    expect(() => parseAgentState(JSON.stringify({ ...old, monitor: { role: 'target', state: 'dancing' } }))).toThrow(/\(monitor\.state: /);
  });

  it('routine writes leave the event loop, the last state last; one asked while another waits is the same write; a failure stops none after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-state-'));
    const st = new StateFile(dir, { version: '1', jobId: 'j', host: 'MAIL2', role: 'target', pid: 7, node: 'v24', startedAt: 1, configSha256: 'c', points: [], targets: {}, received: { count: 0, newest: null, newestAt: null, lastFrom: null } });
    const onDisk = () => (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { received: { count: number } }).received.count;
    // Microtasks only: a file operation cannot complete before the event loop turns, so the write begun is still under way.
    const begun = async () => { for (let i = 0; i < 5; i++) await null; };
    st.state.received.count = 1;
    const first = st.save();
    await begun();
    // Under way, not done: the write runs on the thread pool.
    expect(onDisk()).toBe(0);
    // Two asked while it runs: one write, of the state as it is when its turn comes.
    st.state.received.count = 2;
    const second = st.save();
    st.state.received.count = 3;
    expect(st.save()).toBe(second);
    await first;
    expect(onDisk()).toBe(1);
    await second;
    expect(onDisk()).toBe(3);
    // A write on the event loop (at exit) while a queued one is under way: the older one does not replace it after.
    st.state.received.count = 4;
    const older = st.save();
    await begun();
    st.state.received.count = 5;
    st.flush();
    await older;
    expect(onDisk()).toBe(5);
    // A touch writes within its 200 ms, off the loop too.
    st.state.received.count = 6;
    st.touch();
    expect(onDisk()).toBe(5);
    for (const until = Date.now() + 5000; onDisk() !== 6 && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
    expect(onDisk()).toBe(6);
    // The folder gone: that write fails and says so; a timer's save notes it and throws nothing; once it is back, the next one is written.
    rmSync(dir, { recursive: true });
    await expect(st.save()).rejects.toThrow(/ENOENT/);
    st.saveSoon();
    await new Promise((r) => setTimeout(r, 50));
    mkdirSync(dir);
    st.state.received.count = 7;
    await st.flushDurably();
    expect(onDisk()).toBe(7);
  });
});
