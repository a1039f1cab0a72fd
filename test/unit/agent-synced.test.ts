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
    state(dir, { received: { lastFrom: 'MAIL1' }, receiving: { bytes, lastAt: Date.now() } });
    const feed = setInterval(() => { bytes += 1000; state(dir, { received: { lastFrom: 'MAIL1' }, receiving: { bytes, lastAt: Date.now() } }); }, 300);
    setTimeout(() => { clearInterval(feed); state(dir, { received: { lastFrom: 'MAIL2' }, receiving: null }); }, 3500);
    const t0 = Date.now();
    const r = await synced(config(dir), 1.5);
    expect(r).toEqual({ ok: true, detail: 'MAIL1 holds a point from MAIL2' });
    expect(Date.now() - t0).toBeGreaterThan(3000);
  }, 15_000);

  it('gives up once nothing arrived for its idle limit, saying how far the point had come', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-synced-'));
    state(dir, { received: { lastFrom: null }, receiving: { bytes: 4096, lastAt: Date.now() } });
    const r = await synced(config(dir), 1.5);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^MAIL1 has received nothing from MAIL2 for \d+ minutes \(4096 bytes of the current point had arrived\)/);
  }, 15_000);
});
