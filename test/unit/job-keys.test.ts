/**
 * A job's private keys live only in the encrypted store: protecting without one is refused in
 * one sentence (exit 64) before anything is read or changed; keys an earlier version left in
 * the data folder move into the store, and the files that held secrets are deleted; the keys
 * come back the same (the job keeps its CA), and the store's entries open with no other key.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from './capture-output.ts';
import { main, EXIT } from '../../electron/cli/main.ts';
import { SecretStore } from '../../electron/jobs/secret-store.ts';
import { adoptLegacyKeys, jobKeysIn, NO_KEY_STORE } from '../../electron/jobs/job-keys.ts';
import { jobPki } from '../../electron/provision/pki.ts';
import { secretDigest } from '../../electron/provision/secret-digest.ts';

const ID = '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11';
const keyFile = () => { const f = join(mkdtempSync(join(tmpdir(), 'fg-k-')), 'k'); writeFileSync(f, randomBytes(32), { mode: 0o600 }); return f; };
const list = (d: string) => readdir(d).catch(() => [] as string[]);

describe('the job\'s keys', () => {
  it('protect without a store: one sentence, exit 64, no data folder touched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-nokeys-'));
    const file = join(dir, 'job.json');
    writeFileSync(file, JSON.stringify({ version: 1, id: ID, name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }] }));
    const data = join(dir, 'data');
    const before = { data: process.env.FAILGUARD_DATA_DIR, key: process.env.FAILGUARD_SECRET_KEY_FILE };
    process.env.FAILGUARD_DATA_DIR = data;
    delete process.env.FAILGUARD_SECRET_KEY_FILE;
    try {
      for (const argv of [['protect', '--job', file], ['protect', '--job', file, '--yes']]) {
        const io = capture();
        expect(await main(argv), argv.join(' ')).toBe(EXIT.usage);
        expect(io.err.join('')).toBe(`failguard: ${NO_KEY_STORE}\n`);
        expect(io.out.join('')).toBe('');
      }
      expect(existsSync(join(data, 'jobs'))).toBe(false);
    } finally {
      process.env.FAILGUARD_DATA_DIR = before.data;
      if (before.key) process.env.FAILGUARD_SECRET_KEY_FILE = before.key;
    }
  });

  it('keys from an earlier version move into the store, their files and the staged secrets go, and the CA stays the same', async () => {
    const base = mkdtempSync(join(tmpdir(), 'fg-legacy-'));
    const store = await SecretStore.open(join(base, 'secrets.json'), { kind: 'key-file', file: keyFile() });
    // An earlier version's folder: a CA and an agent with their keys in the clear, the lease and digest keys, staged secrets.
    const old = jobKeysIn(await SecretStore.open(join(base, 'old.json'), { kind: 'key-file', file: keyFile() }), ID);
    const pki = join(base, 'pki');
    const issued = await jobPki(pki, old, [{ name: 'MAIL1', addresses: ['198.18.0.11'] }]);
    writeFileSync(join(pki, 'ca.key'), issued.ca.keyPem, { mode: 0o600 });
    writeFileSync(join(pki, 'agent-mail1.key'), issued.agents.MAIL1!.keyPem, { mode: 0o600 });
    writeFileSync(join(pki, 'lease.key'), 'bGVhc2Uga2V5IG9mIHRoZSBqb2IsIDMyIGJ5dGVzIQ==\n', { mode: 0o600 });
    const digestKey = randomBytes(32);
    writeFileSync(join(pki, 'secret-digest.key'), digestKey, { mode: 0o600 });
    for (const h of ['witness', 'MAIL2']) { mkdirSync(join(base, 'hosts', h), { recursive: true }); writeFileSync(join(base, 'hosts', h, 'agent.json'), '{"leaseKey":"x"}'); }
    writeFileSync(join(base, 'hosts', 'MAIL2', 'directory.sealed'), 'sealed');
    writeFileSync(join(base, 'hosts', 'MAIL2', 'failover-plan.json'), '{}');

    const keys = jobKeysIn(store, ID);
    expect((await adoptLegacyKeys(keys, base, list)).sort()).toEqual(['pki/agent-mail1.key', 'pki/ca.key', 'pki/lease.key', 'pki/secret-digest.key']);
    expect(readdirSync(pki).sort()).toEqual(['agent-mail1.pem', 'ca.pem']);
    expect(readdirSync(join(base, 'hosts', 'MAIL2'))).toEqual(['failover-plan.json']);
    expect(readdirSync(join(base, 'hosts', 'witness'))).toEqual([]);
    // The same CA and agent certificate, now with keys from the store: nothing is issued again.
    const again = await jobPki(pki, keys, [{ name: 'MAIL1', addresses: ['198.18.0.11'] }]);
    expect(again.ca.fingerprint256).toBe(issued.ca.fingerprint256);
    expect(again.agents.MAIL1!.fingerprint256).toBe(issued.agents.MAIL1!.fingerprint256);
    expect(keys.get('pki/lease.key')).toBe('bGVhc2Uga2V5IG9mIHRoZSBqb2IsIDMyIGJ5dGVzIQ==\n');
    // The digest key kept its bytes: plans' digests do not change with the move.
    const { createHmac } = await import('node:crypto');
    expect(await secretDigest(keys, 'secret')).toBe(createHmac('sha256', digestKey).update('secret').digest('hex'));
    // In the store, sealed: no key in the clear anywhere in the folder.
    for (const f of ['secrets.json', ...readdirSync(pki).map((n) => `pki/${n}`)]) expect(readFileSync(join(base, f), 'utf8'), f).not.toMatch(/PRIVATE KEY/);
  });

  it('a new job\'s keys are made in the store and found there again; a store opened with another key is refused', async () => {
    const base = mkdtempSync(join(tmpdir(), 'fg-newkeys-'));
    const k = keyFile();
    const keys = jobKeysIn(await SecretStore.open(join(base, 'secrets.json'), { kind: 'key-file', file: k }), ID);
    const first = await jobPki(join(base, 'pki'), keys, [{ name: 'MAIL2', addresses: ['198.18.0.12'] }]);
    const reopened = jobKeysIn(await SecretStore.open(join(base, 'secrets.json'), { kind: 'key-file', file: k }), ID);
    expect(reopened.get('pki/ca.key')).toBe(first.ca.keyPem);
    expect((await jobPki(join(base, 'pki'), reopened, [{ name: 'MAIL2', addresses: ['198.18.0.12'] }])).ca.fingerprint256).toBe(first.ca.fingerprint256);
    await expect(SecretStore.open(join(base, 'secrets.json'), { kind: 'key-file', file: keyFile() })).rejects.toThrow(/does not open/);
    expect(readdirSync(join(base, 'pki')).filter((f) => f.endsWith('.key'))).toEqual([]);
  });
});
