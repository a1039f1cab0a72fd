/** The failback's reverse sync is bounded by its progress, not by a fixed time: it waits while bytes arrive. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synced } from '../../agent/src/commands.ts';
import type { AgentConfig } from '../../agent/src/config.ts';

const config = (stateDir: string) => ({ host: 'MAIL1', stateDir, monitor: { source: { name: 'MAIL2', address: '198.18.0.12', port: 7420 } } }) as unknown as AgentConfig;
const state = (dir: string, s: object) => writeFileSync(join(dir, 'state.json'), JSON.stringify(s));

describe('the reverse sync\'s wait', () => {
  it('goes on past its idle limit while bytes keep arriving, and ends when the point is whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-synced-'));
    let bytes = 0;
    state(dir, { received: { lastFrom: 'MAIL1' }, receiving: { point: 'p0000000009-1', bytes, lastAt: Date.now() } });
    const feed = setInterval(() => { bytes += 1000; state(dir, { received: { lastFrom: 'MAIL1' }, receiving: { point: 'p0000000009-1', bytes, lastAt: Date.now() } }); }, 300);
    setTimeout(() => { clearInterval(feed); state(dir, { received: { lastFrom: 'MAIL2' }, receiving: null }); }, 3500);
    const t0 = Date.now();
    const r = await synced(config(dir), 1.5);
    expect(r).toEqual({ ok: true, detail: 'MAIL1 holds a point from MAIL2' });
    expect(Date.now() - t0).toBeGreaterThan(3000);
  }, 15_000);

  it('gives up once nothing arrived for its idle limit, saying how far the point had come', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-synced-'));
    state(dir, { received: { lastFrom: null }, receiving: { point: 'p0000000009-1', bytes: 4096, lastAt: Date.now() } });
    const r = await synced(config(dir), 1.5);
    expect(r).toEqual({ ok: false, detail: 'MAIL1 has received nothing new from MAIL2 for 1.5 s (4096 bytes of the current point had arrived); check replication, then run the failback again' });
  }, 15_000);

  it('a send that keeps starting over is no progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-synced-'));
    let n = 0;
    // The same point again and again from the start, never further than 5000 bytes.
    const feed = setInterval(() => { n = (n + 1000) % 6000; state(dir, { received: { lastFrom: null }, receiving: { point: 'p0000000009-1', bytes: n, lastAt: Date.now() } }); }, 200);
    const r = await synced(config(dir), 2).finally(() => clearInterval(feed));
    expect(r.ok).toBe(false);
  }, 15_000);
});
