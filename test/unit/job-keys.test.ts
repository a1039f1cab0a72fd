/**
 * A job's private keys live only in the encrypted store: protecting without one is refused in
 * one sentence (exit 64) before anything is read or changed; keys an earlier version left in
 * the data folder in the clear are deleted with the staged files that held secrets, and new ones
 * issued; the keys come back the same from the store, which opens with no other key.
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
import { discardLegacyKeys, jobKeysIn, NO_KEY_STORE } from '../../electron/jobs/job-keys.ts';
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
      expect(existsSync(data)).toBe(false);
    } finally {
      if (before.data === undefined) delete process.env.FAILGUARD_DATA_DIR;
      else process.env.FAILGUARD_DATA_DIR = before.data;
      if (before.key) process.env.FAILGUARD_SECRET_KEY_FILE = before.key;
    }
  });

  it('keys an earlier version left in the clear are replaced, never carried over: deleted with the staged secrets, and a new CA issued', async () => {
    const base = mkdtempSync(join(tmpdir(), 'fg-legacy-'));
    // An earlier version's folder: a CA and an agent with their keys in the clear, the lease and digest keys, staged secrets.
    const old = jobKeysIn(await SecretStore.open(join(base, 'old.json'), { kind: 'key-file', file: keyFile() }), ID);
    const pki = join(base, 'pki');
    const issued = await jobPki(pki, old, [{ name: 'MAIL1', addresses: ['198.18.0.11'] }]);
    writeFileSync(join(pki, 'ca.key'), issued.ca.keyPem, { mode: 0o600 });
    writeFileSync(join(pki, 'agent-mail1.key'), issued.agents.MAIL1!.keyPem, { mode: 0o600 });
    writeFileSync(join(pki, 'lease.key'), 'bGVhc2Uga2V5IG9mIHRoZSBqb2IsIDMyIGJ5dGVzIQ==\n', { mode: 0o600 });
    writeFileSync(join(pki, 'secret-digest.key'), randomBytes(32), { mode: 0o600 });
    for (const h of ['witness', 'mail2']) { mkdirSync(join(base, 'hosts', h), { recursive: true }); writeFileSync(join(base, 'hosts', h, 'agent.json'), '{"leaseKey":"x"}'); }
    writeFileSync(join(base, 'hosts', 'mail2', 'directory.sealed'), 'sealed');
    writeFileSync(join(base, 'hosts', 'mail2', 'failover-plan.json'), '{}');

    expect((await discardLegacyKeys(base, list)).sort()).toEqual(['agent-mail1.key', 'ca.key', 'lease.key', 'secret-digest.key']);
    // Keys, the certificates they signed, and every staged file that held a secret: gone. The failover plan (no secret) stays.
    expect(readdirSync(pki)).toEqual([]);
    expect(readdirSync(join(base, 'hosts', 'mail2'))).toEqual(['failover-plan.json']);
    expect(readdirSync(join(base, 'hosts', 'witness'))).toEqual([]);
    // The next protection issues a new CA and agent certificate, their keys in the store only.
    const keys = jobKeysIn(await SecretStore.open(join(base, 'secrets.json'), { kind: 'key-file', file: keyFile() }), ID);
    const fresh = await jobPki(pki, keys, [{ name: 'MAIL1', addresses: ['198.18.0.11'] }]);
    expect(fresh.ca.fingerprint256).not.toBe(issued.ca.fingerprint256);
    expect(fresh.agents.MAIL1!.fingerprint256).not.toBe(issued.agents.MAIL1!.fingerprint256);
    expect(keys.get('pki/ca.key')).toBe(fresh.ca.keyPem);
    expect(readdirSync(pki).sort()).toEqual(['agent-mail1.pem', 'ca.pem']);
    const all = ['secrets.json', 'pki/ca.pem', 'pki/agent-mail1.pem'].map((f) => readFileSync(join(base, f), 'utf8')).join('\n');
    const secrets = [fresh.ca.keyPem, fresh.agents.MAIL1!.keyPem].flatMap((k) => [k.split('\n')[1]!, Buffer.from(k).toString('base64').slice(0, 40)]);
    expect(secrets.filter((x) => all.includes(x))).toEqual([]);
    expect(all).not.toMatch(/PRIVATE KEY/);
    // A digest key made now, in the store: the plans' digests are keyed by it.
    const { createHmac } = await import('node:crypto');
    expect(await secretDigest(keys, 'secret')).toBe(createHmac('sha256', Buffer.from(keys.get('pki/secret-digest.key')!, 'base64')).update('secret').digest('hex'));
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
