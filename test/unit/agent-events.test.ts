/**
 * An agent's events: each a JSON record a line in events.jsonl (what the app and the tests read)
 * and the same in words in agent.log; read back by kind and field, a torn or foreign line left out.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFile } from '../../agent/src/state.ts';
import { agentEventSchema, parseEvents } from '../../shared/agent-events.ts';

const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-events-'));
  const st = new StateFile(dir, { version: '0', jobId: 'j', host: 'MAIL2', role: 'target', pid: 1, node: 'v24', startedAt: 0, configSha256: '', points: [], targets: {}, received: { count: 0, newest: null, newestAt: null, lastFrom: null } });
  return { dir, st };
};

describe('an agent\'s events', () => {
  it('are written as records and in words, and read back with their fields', () => {
    const { dir, st } = fresh();
    const before = Date.now();
    st.note({ kind: 'monitor', from: 'healthy', to: 'source-suspect', message: 'healthy → source-suspect (no heartbeat for 3 s)' });
    st.note({ kind: 'lease', action: 'granted', holder: 'MAIL2', epoch: 4, message: 'lease 4 granted to MAIL2' });
    st.note({ kind: 'config', action: 'reloaded', changes: ['retention a → b'], message: 'configuration reloaded in place: retention a → b' });
    st.note({ kind: 'failover', step: 2, of: 9, status: 'running', description: 're-home the mailboxes of DB1 to DB3', message: 'step 2 of 9 running (re-home …)' });
    const events = parseEvents(readFileSync(join(dir, 'events.jsonl'), 'utf8'));
    expect(events.map((e) => e.kind)).toEqual(['monitor', 'lease', 'config', 'failover']);
    expect(events.every((e) => e.at >= before && e.at <= Date.now())).toBe(true);
    expect(events[1]).toMatchObject({ kind: 'lease', action: 'granted', holder: 'MAIL2', epoch: 4 });
    expect(events[2]).toMatchObject({ kind: 'config', changes: ['retention a → b'] });
    expect(events[3]).toMatchObject({ step: 2, of: 9, status: 'running', description: 're-home the mailboxes of DB1 to DB3' });
    const words = readFileSync(join(dir, 'agent.log'), 'utf8').trimEnd().split('\n');
    expect(words.map((l) => l.replace(/^\S+ /, ''))).toEqual(['monitor: healthy → source-suspect (no heartbeat for 3 s)', 'lease: lease 4 granted to MAIL2', 'config: configuration reloaded in place: retention a → b', 'failover: step 2 of 9 running (re-home …)']);
  });

  it('leave out a line cut by a crash, of another kind or shape, and keep the rest', () => {
    const { dir, st } = fresh();
    st.note({ kind: 'agent', action: 'started', message: 'agent started' });
    appendFileSync(join(dir, 'events.jsonl'), '{"at":1,"kind":"monitor","mess\n{"at":2,"kind":"gossip","message":"x"}\n{"at":3,"kind":"fence","message":"no from or to"}\nnot json\n');
    // The supervisor's own record, as its printf writes it.
    appendFileSync(join(dir, 'events.jsonl'), '{"at":1796400000000,"kind":"supervisor","action":"stale","message":"the agent\'s liveness stamp is 5 s old (hung, stopped or unable to write), so it was killed; the mail services are stopped until the agent confirms this host again"}\n');
    const events = parseEvents(readFileSync(join(dir, 'events.jsonl'), 'utf8'));
    expect(events.map((e) => [e.kind, 'action' in e ? e.action : null])).toEqual([['agent', 'started'], ['supervisor', 'stale']]);
    expect(agentEventSchema.safeParse({ at: 1, kind: 'alert', event: 'rpo-warning', severity: 'loud', message: 'x' }).success).toBe(false);
  });
});
