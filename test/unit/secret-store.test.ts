import type { HostTarget } from '../../shared/hosts.ts';
import { describe, expect, it } from 'vitest';
import { jobSchema } from '../../shared/job.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SecretStore } from '../../electron/jobs/secret-store.ts';
import { JobSecrets } from '../../electron/jobs/job-secrets.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'fg-secrets-'));
const keyFile = (d: string, name = 'key') => { const f = join(d, name); writeFileSync(f, randomBytes(32), { mode: 0o600 }); return f; };
const JOB = '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11';
/** The job as protected: its servers are the ones its kept SSH secret is for. */
const JOB_FILE = jobSchema.parse({ version: 1, id: JOB, name: 'J', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }] });

// scrypt is slow on purpose: each open of a key-file store takes a noticeable part of a second on a busy machine.
describe('the encrypted secret store', { timeout: 60_000 }, () => {
  it('keeps values encrypted on disk and gives them back after reopening with the same key file', async () => {
    const d = dir();
    const file = join(d, 'secrets.json');
    const key = keyFile(d);
    const s = await SecretStore.open(file, { kind: 'key-file', file: key });
    await s.set({ [`job/${JOB}/directory-password`]: 'Sup3r-Secret!' });
    expect(readFileSync(file, 'utf8')).not.toContain('Sup3r-Secret!');
    const again = await SecretStore.open(file, { kind: 'key-file', file: key });
    expect(again.get(`job/${JOB}/directory-password`)).toBe('Sup3r-Secret!');
    expect(again.names(`job/${JOB}/`)).toEqual([`job/${JOB}/directory-password`]);
    await again.set({ [`job/${JOB}/directory-password`]: null });
    expect((await SecretStore.open(file, { kind: 'key-file', file: key })).get(`job/${JOB}/directory-password`)).toBeNull();
  });

  it('two processes with the store open (the app and a CLI command) keep each other\'s entries', async () => {
    const d = dir();
    const file = join(d, 'secrets.json');
    const key = keyFile(d);
    const app = await SecretStore.open(file, { kind: 'key-file', file: key });
    const cli = await SecretStore.open(file, { kind: 'key-file', file: key });
    await app.set({ 'job/a/keys/pki/ca.key': 'A' });
    await cli.set({ 'job/b/keys/pki/ca.key': 'B' });
    await app.set({ 'job/a/ssh': 'S' });
    const again = await SecretStore.open(file, { kind: 'key-file', file: key });
    expect(again.names('job/')).toEqual(['job/a/keys/pki/ca.key', 'job/a/ssh', 'job/b/keys/pki/ca.key']);
    expect([again.get('job/a/keys/pki/ca.key'), again.get('job/b/keys/pki/ca.key'), again.get('job/a/ssh')]).toEqual(['A', 'B', 'S']);
    // At the same moment: one writer at a time, nothing lost.
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? app : cli).set({ [`job/c/${i}`]: String(i) })));
    const after = await SecretStore.open(file, { kind: 'key-file', file: key });
    expect(after.names('job/c/')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7'].map((i) => `job/c/${i}`));
    // A store put in its place (another key) is refused, not overwritten.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"salt": "[^"]+"/, '"salt": "AAAAAAAAAAAAAAAAAAAAAA=="'));
    const replaced = readFileSync(file, 'utf8');
    await expect(app.set({ 'job/d': 'x' })).rejects.toThrow(/was replaced by another store/);
    expect(readFileSync(file, 'utf8')).toBe(replaced);
  });

  it('refuses another key, a damaged file and an entry moved under another name, changing nothing', async () => {
    const d = dir();
    const file = join(d, 'secrets.json');
    const s = await SecretStore.open(file, { kind: 'key-file', file: keyFile(d) });
    await s.set({ a: 'one', b: 'two' });
    const before = readFileSync(file, 'utf8');
    await expect(SecretStore.open(file, { kind: 'key-file', file: keyFile(d, 'other') })).rejects.toMatchObject({ code: 'secret-key' });
    expect(readFileSync(file, 'utf8')).toBe(before);
    const swapped = JSON.parse(before) as { entries: Record<string, unknown> };
    swapped.entries.a = swapped.entries.b;
    writeFileSync(file, JSON.stringify(swapped));
    const reopened = await SecretStore.open(file, { kind: 'key-file', file: join(d, 'key') });
    expect(() => reopened.get('a')).toThrow();
    writeFileSync(file, '{"version":1,');
    await expect(SecretStore.open(file, { kind: 'key-file', file: join(d, 'key') })).rejects.toMatchObject({ code: 'secret-store' });
    const short = join(d, 'short');
    writeFileSync(short, 'abc');
    await expect(SecretStore.open(join(d, 'new.json'), { kind: 'key-file', file: short })).rejects.toThrow(/holds 3 bytes; a key needs at least 16 random bytes/);
  });

  it('wraps its data key with the keychain in the desktop app, and a key-file store is not opened as a keychain one', async () => {
    const d = dir();
    const file = join(d, 'secrets.json');
    const mask = randomBytes(32);
    const xor = (b: Buffer) => Buffer.from(b.map((x, i) => x ^ mask[i % 32]!));
    const keychain = { kind: 'keychain' as const, wrap: xor, unwrap: xor };
    await (await SecretStore.open(file, keychain)).set({ x: 'kept' });
    expect((await SecretStore.open(file, keychain)).get('x')).toBe('kept');
    await expect(SecretStore.open(file, { kind: 'key-file', file: keyFile(d) })).rejects.toThrow(/made by the desktop app/);
  });
});

describe('a saved job\'s secrets', { timeout: 60_000 }, () => {
  it('fill a request\'s password only when it names the job, brings none, and asks the job\'s own directory', async () => {
    const d = dir();
    const js = new JobSecrets(await SecretStore.open(join(d, 's.json'), { kind: 'key-file', file: keyFile(d) }));
    const dc = { kind: 'url' as const, url: 'ldaps://198.18.0.10' };
    await js.keep(JOB_FILE, { directory: { target: dc, credentials: { username: 'u', password: 'pw' } }, tsigSecrets: { 'failguard-update': 'c2VjcmV0' }, alertSecrets: { smtpPassword: 'mail' } });
    expect(js.credentials({ username: 'u', password: '', savedFor: JOB }, dc)).toEqual({ username: 'u', password: 'pw' });
    expect(js.credentials({ username: 'u', password: '', savedFor: JOB }, { kind: 'url', url: 'LDAPS://198.18.0.10/' }).password).toBe('pw');
    expect(js.credentials({ username: 'u', password: 'typed', savedFor: JOB }, dc).password).toBe('typed');
    expect(js.credentials({ username: 'u', password: '' }, dc).password).toBe('');
    // Another DC or domain named with the job's marker never gets the job's password.
    for (const other of [{ kind: 'url' as const, url: 'ldaps://198.18.9.9' }, { kind: 'domain' as const, domain: 'evil.test' }]) {
      expect(() => js.credentials({ username: 'u', password: '', savedFor: JOB }, other)).toThrow(/only for its own directory \(ldaps:\/\/198\.18\.0\.10\)/);
    }
    expect(js.keptFor(JOB)).toEqual({ directory: true, ssh: false, alerts: true, tsigKeys: ['failguard-update'] });
    expect([js.tsigSecrets(JOB), js.alertSecrets(JOB)]).toEqual([{ 'failguard-update': 'c2VjcmV0' }, { smtpPassword: 'mail' }]);
    // The job's own directory, signed in with the kept password; none for a job saved without a directory.
    const job = { id: JOB, directory: { target: dc, username: 'u', pinned: [] } } as unknown as Parameters<typeof js.jobDirectory>[0];
    expect(js.jobDirectory(job)).toEqual({ target: { kind: 'url', url: 'ldaps://198.18.0.10' }, credentials: { username: 'u', password: 'pw' }, trust: { pinned: [] } });
    expect(js.jobDirectory({ ...job, directory: undefined })).toBeUndefined();
    const none = new JobSecrets(null);
    expect(() => none.credentials({ username: 'u', password: '', savedFor: JOB }, dc)).toThrow(/No password is kept/);
    expect(none.kept).toBe(false);
    // Without a store the SSH secret lasts the session (the dashboard needs it), in memory only.
    await none.keep(JOB_FILE, { sshSecret: 'for now' });
    expect([none.sshSecret(JOB), none.keptFor(JOB).ssh]).toEqual(['for now', false]);
  });

  it('keep the SSH passphrase or password, fill it into a pre-flight request only for the job named, and drop it when the job no longer needs one', async () => {
    const d = dir();
    const js = new JobSecrets(await SecretStore.open(join(d, 's.json'), { kind: 'key-file', file: keyFile(d) }));
    await js.keep(JOB_FILE, { sshSecret: 'open sesame' });
    expect([js.sshSecret(JOB), js.keptFor(JOB).ssh]).toEqual(['open sesame', true]);
    const host = (auth: HostTarget['auth']): HostTarget => ({ name: 'MAIL1', address: '198.18.0.11', port: 22, user: 'root', auth });
    const req = { source: host({ kind: 'key', keyFile: '/k' }), targets: [host({ kind: 'password', password: '' }), host({ kind: 'password', password: 'typed' })], witness: host({ kind: 'agent' }) };
    expect(js.hosts({ ...req, sshSecretFor: JOB })).toEqual({
      source: host({ kind: 'key', keyFile: '/k', passphrase: 'open sesame' }), targets: [host({ kind: 'password', password: 'open sesame' }), host({ kind: 'password', password: 'typed' })], witness: host({ kind: 'agent' }),
    });
    // Without the marker nothing is filled in.
    expect(js.hosts(req)).toEqual(req);
    // A host that is not one of the job's servers never gets the job's secret.
    const stranger = { ...host({ kind: 'password', password: '' }), address: '198.18.9.9' };
    expect(() => js.hosts({ ...req, targets: [stranger], sshSecretFor: JOB })).toThrow(/only for its own servers, not 198\.18\.9\.9:22/);
    expect(js.hosts({ ...req, source: { ...host({ kind: 'key', keyFile: '/k' }), port: 2222 }, targets: [], sshSecretFor: JOB }).source.auth).toEqual({ kind: 'key', keyFile: '/k' });
    // A job that now signs in with the agent: the old password goes.
    await js.keep(JOB_FILE, {});
    expect(js.keptFor(JOB).ssh).toBe(false);
    expect(() => js.hosts({ ...req, sshSecretFor: JOB })).toThrow(/No SSH password is kept/);
  });
});
