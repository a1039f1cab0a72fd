/**
 * One schema for what an agent writes about itself: what the agent's StateFile writes parses
 * back as it was; an older agent's file (fewer fields) gets the defaults; a file that does not
 * fit is refused in one sentence naming the field.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFile, keptFromBefore } from '../../agent/src/state.ts';
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

  it('a restart keeps the targets\' records, the points still there, the sizes, the tripwire and what was alerted, in its very first write; a damaged piece is dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-state-'));
    const pointsDir = join(dir, 'received');
    const none = { targets: {}, pointBytes: {}, alerted: {}, points: [], received: { count: 0, newest: null, newestAt: null, lastFrom: null } };
    const standby = { role: 'target', pointsDir } as const;
    // Nothing before: a first start keeps nothing.
    expect(keptFromBefore(dir, standby)).toEqual(none);
    const [p6, p7, p8] = ['p0000000006-1800000006000', 'p0000000007-1800000007000', 'p0000000008-1800000008000'];
    // p6 was pruned after the last write: named in the file, gone from the folder.
    for (const p of [p7, p8, 'p0000000009-1800000009000.partial']) mkdirSync(join(pointsDir, p), { recursive: true });
    const send = { point: 'p0000000009-1800000009000', parent: p8, startedAt: 9, bytesRaw: 1, bytesWire: 1, estimateBytes: null };
    const mail2 = { state: 'sending', lastPoint: p8, lastPointAt: 1_800_000_008_000, lastParent: p7, sends: 8, fullSends: 1, bytesRaw: 80, bytesWire: 40, current: send, lastError: null, limitBytesPerSecond: null, lastSend: null, lastFullSend: null };
    const tripwire = { state: 'armed', shares: [0.1], suspects: [], recent: [], firedAt: null, lastClean: null };
    // p9 was being received again when the agent stopped (its name is in the folder and the list: it may be partial).
    const p9 = 'p0000000009-1800000009000';
    mkdirSync(join(pointsDir, p9));
    const previous = { version: '1', host: 'MAIL2', role: 'target', pid: 6, points: [p8, p6, p7, p8, p9], receiving: { point: p9, from: 'MAIL1', bytes: 5, lastAt: 5 }, received: { count: 3, newest: p8, newestAt: 1_800_000_008_000, lastFrom: 'MAIL1' },
      // Damaged records beside the good one: each is dropped, not carried on (the app would refuse every status after).
      // (JSON.parse makes "__proto__" a key of its own, as reading a hostile file would.)
      targets: Object.assign(JSON.parse(`{"__proto__":${JSON.stringify(mail2)}}`) as object, { MAIL2: mail2, MAIL3: null, MAIL4: {}, MAIL5: 'xyz', ['M'.repeat(201)]: mail2 }),
      pointBytes: { [p8]: 123, bad: 'x', worse: null }, tripwire,
      alerted: { 'rpo:MAIL2': 'warning', ['x'.repeat(201)]: 'warning', odd: 5, long: 'w'.repeat(21) } };
    writeFileSync(join(dir, 'state.json'), JSON.stringify(previous));
    const kept = keptFromBefore(dir, standby);
    // The send under way ended with the process that ran it, and whom the last point came from is the new process's to learn.
    expect(kept).toEqual({ targets: { MAIL2: { ...mail2, state: 'connecting', current: null } }, pointBytes: { [p8]: 123 }, tripwire, alerted: { 'rpo:MAIL2': 'warning' },
      points: [p7, p8], received: { count: 2, newest: p8, newestAt: 1_800_000_008_000, lastFrom: null } });
    // Own keys, not only what toEqual compares: no "__proto__" key rides along.
    expect(Object.keys(kept.targets)).toEqual(['MAIL2']);
    StateFile.afterRestart(dir, { version: '1', jobId: 'j', host: 'MAIL2', role: 'target', pid: 7, node: 'v24', startedAt: 1, configSha256: 'c' }, pointsDir);
    // On the disk as soon as the state file exists: read now, with no write awaited, and read as the app reads it.
    const first = parseAgentState(readFileSync(join(dir, 'state.json'), 'utf8'));
    expect(first).toMatchObject({ pid: 7, ...kept });
    expect(first.targets.MAIL2).toMatchObject({ state: 'connecting', lastPoint: p8, sends: 8, fullSends: 1, current: null });
    // Another role keeps no points (a standby that took over starts as a source at failback); a source says nothing received.
    writeFileSync(join(dir, 'state.json'), JSON.stringify(previous));
    expect(keptFromBefore(dir, { role: 'source', pointsDir })).toMatchObject({ points: [], received: none.received, pointBytes: { [p8]: 123 } });
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ ...previous, role: 'source' }));
    expect(keptFromBefore(dir, { role: 'source', pointsDir })).toMatchObject({ points: [p7, p8], received: none.received });
    // A tripwire that does not fit is dropped; a file that is not an object (or not JSON, or far too large) keeps nothing, and throws nothing.
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ role: 'target', tripwire: 'x', points: 'x', received: [1] }));
    expect(keptFromBefore(dir, standby)).toEqual(none);
    for (const text of ['[1,2]', 'null', '"x"', '{"targets":[1]', '{"targets":[{"state":"idle"}],"alerted":"x","pointBytes":[5]}', JSON.stringify({ ...previous, pad: 'x'.repeat(16 << 20) })]) {
      writeFileSync(join(dir, 'state.json'), text);
      expect(keptFromBefore(dir, standby)).toEqual(none);
    }
  });

  it('an older agent\'s file gets the defaults; one that does not fit is refused, naming the field', () => {
    const old = { version: '0.1.0', host: 'MAIL2', role: 'target', pid: 1, node: 'v22', updatedAt: 2, points: [], targets: {}, received: { count: 3, newest: null, newestAt: null } };
    expect(parseAgentState(JSON.stringify(old))).toMatchObject({ jobId: '', configSha256: '', startedAt: 0, received: { count: 3, lastFrom: null } });
    expect(() => parseAgentState(JSON.stringify({ ...old, role: 'boss' }))).toThrow(/^the agent's state does not fit what this version of Failguard reads \(role: /);
    expect(() => parseAgentState(JSON.stringify({ ...old, monitor: { role: 'target', state: 'dancing' } }))).toThrow(/\(monitor\.state: /);
  });

  it('routine writes leave the event loop, the last state last; one asked while another waits is the same write; a failure stops none after it; at exit the last is written last', async () => {
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
    // A write on the event loop while a queued one is under way: the older one is not renamed after it. (99 after the flush: had
    // the queued one not begun before it, it would have written 99, and this would not test the skip.)
    st.state.received.count = 4;
    const older = st.save();
    await begun();
    st.state.received.count = 5;
    st.flush();
    st.state.received.count = 99;
    await older;
    expect(onDisk()).toBe(5);
    // A touch writes within its 200 ms, off the loop too.
    st.state.received.count = 6;
    st.touch();
    expect(onDisk()).toBe(5);
    const poll = async (ok: () => boolean) => { for (const until = Date.now() + 5000; !ok() && Date.now() < until;) await new Promise((r) => setTimeout(r, 20)); };
    await poll(() => onDisk() === 6);
    expect(onDisk()).toBe(6);
    // A write that fails (its temporary file cannot be made): save() says so; a timer's saveSoon() notes it and throws nothing.
    mkdirSync(join(dir, 'state.json.async.tmp'));
    await expect(st.save()).rejects.toThrow(/EISDIR/);
    st.saveSoon();
    const events = () => { try { return readFileSync(join(dir, 'events.jsonl'), 'utf8'); } catch { return ''; } };
    await poll(() => events().includes('the state could not be written'));
    expect(events()).toContain('the state could not be written');
    rmSync(join(dir, 'state.json.async.tmp'), { recursive: true });
    // The durable one (alerts sent, a reload): it goes through the fsynced write, and its failure is noted the same way.
    const noted = () => events().split('the state could not be written').length - 1;
    mkdirSync(join(dir, 'state.json.durable.tmp'));
    st.saveSoon(true);
    await poll(() => noted() === 2);
    expect(noted()).toBe(2);
    rmSync(join(dir, 'state.json.durable.tmp'), { recursive: true });
    st.state.received.count = 61;
    st.saveSoon(true);
    // A durable write queued after it ends after it: by then the first has written what it was given.
    await st.flushDurably();
    expect(onDisk()).toBe(61);
    expect(noted()).toBe(2);
    // Writes go on after a failure.
    st.state.received.count = 7;
    await st.flushDurably();
    expect(onDisk()).toBe(7);
    // At exit: the write under way is awaited, then the last state written; nothing queued after it begins.
    st.state.received.count = 8;
    const last = st.save();
    await begun();
    st.state.received.count = 9;
    await st.close();
    await last;
    expect(onDisk()).toBe(9);
    st.state.received.count = 10;
    await st.save();
    await st.flushDurably();
    expect(onDisk()).toBe(9);
  });
});
