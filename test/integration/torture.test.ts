/** The write-order torture test, short form (the replication benchmark runs at least 100 kill points). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { protect } from '../../electron/provision/service.ts';
import { runTorture } from '../torture/torture.ts';
import { s } from './preflight-helpers.ts';
import { inHost, jobKeysFor, labStatus, resetProtection } from './helpers.ts';

const key = s.hosts[0]!.keyFile;
const dataDir = mkdtempSync(join(tmpdir(), 'fg-torture-'));
const job = parseJob(JSON.stringify({
  version: 1, id: '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', name: 'Torture',
  source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key }, targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key }],
  hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
}));

beforeAll(async () => {
  const r = await protect(job, 'now', { dataDir, keys: await jobKeysFor(dataDir, job.id) });
  expect(r.results.map((x) => x.outcome)).toEqual(['applied']);
}, 300_000);
afterAll(() => {
  // The torture run restarts hosts: their namespaces are new, so ask the lab again.
  const now = labStatus();
  resetProtection(now, ['mail1', 'mail2'], 'torture');
});

describe('write order under fire', () => {
  it('keeps every received point crash-consistent through 10 kill points of every kind', async () => {
    const r = await runTorture({ killPoints: 10, seed: 20261130, log: (m) => process.stderr.write(`${m}\n`) });
    expect(r.failures).toEqual([]);
    expect(r.inconsistentPoints).toBe(0);
    expect(r.killPoints).toBe(10);
    expect(r.checkedPoints).toBeGreaterThanOrEqual(10);
    // The writer really wrote, and the newest point holds a long history.
    expect(Number(inHost(labStatus(), 'mail1', 'wc -l < /srv/mail/torture/a.log').stdout.trim())).toBeGreaterThan(500);
  }, 900_000);
});
