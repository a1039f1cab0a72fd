import { capture } from './capture-output.ts';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main, EXIT, EXIT_HELP } from '../../electron/cli/main.ts';
import { OUTCOME_EXIT } from '../../shared/preflight.ts';
import { isRawErrorText, plainMessage, UserError } from '../../shared/errors.ts';

afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), 'fg-cli-errors-'));
const key = join(dir, 'id_ed25519');
beforeAll(() => {
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-pass', '-f', join(dir, 'locked')]);
  writeFileSync(join(dir, 'notes.txt'), 'this is not a key\n');
  writeFileSync(join(dir, 'wrong-pass'), 'not-the-pass\n');
  writeFileSync(join(dir, 'empty-pass'), '\n');
  writeFileSync(join(dir, 'pins.json'), '[{"host": "x"');
});

const pf = (...more: string[]) => ['preflight', '--source', 'mail1', '--target', 'mail2', ...more];

describe('every CLI error path gives one plain sentence and a usage or work exit code, never a check outcome', () => {
  it.each([
    ['a key file that does not exist', pf('--ssh-key', join(dir, 'nope')), EXIT.usage, 'targets', /does not exist; check the path/],
    ['a key file that is not a key', pf('--ssh-key', join(dir, 'notes.txt')), EXIT.usage, '', /not a private key Failguard can read/],
    ['a public key instead of the private one', pf('--ssh-key', `${key}.pub`), EXIT.usage, '', /is a public key; give the private key/],
    ['a key with a passphrase and none given', pf('--ssh-key', join(dir, 'locked')), EXIT.usage, '', /protected by a passphrase/],
    ['a key with a passphrase and the wrong one given', pf('--ssh-key', join(dir, 'locked'), '--ssh-secret-file', join(dir, 'wrong-pass')), EXIT.usage, '', /locked: The passphrase does not open the SSH key; check it\.\n$/],
    ['an empty SSH secret file', pf('--ssh-key', join(dir, 'locked'), '--ssh-secret-file', join(dir, 'empty-pass')), EXIT.usage, '', /SSH secret file .* is empty; its first line must be/],
    ['a source that is also a target', ['preflight', '--source', 'mail1', '--target', 'MAIL1', '--ssh-key', key], EXIT.usage, '', /both the source and a target/],
    ['a target given twice', ['preflight', '--source', 'mail1', '--target', 'mail2', '--target', 'mail2', '--ssh-key', key], EXIT.usage, '', /one role only/],
    ['a report in a folder that does not exist', pf('--ssh-key', key, '--report', join(dir, 'no', 'such', 'r.html'), '--format', 'html'), EXIT.usage, '', /folder .* does not exist; create it/],
    ['a report path that is a folder', pf('--ssh-key', key, '--report', dir, '--format', 'html'), EXIT.usage, '', /is a folder; give a file name/],
    ['a pins file that is not JSON', pf('--ssh-key', key, '--pins', join(dir, 'pins.json')), EXIT.usage, '', /is not a pins file .*left as it is/],
    ['both --domain and --dc', ['discover', '--domain', 'lab.test', '--dc', 'ldaps://x', '--user', 'a', '--password-stdin'], EXIT.usage, '', /either --domain/],
    ['an unknown option', ['preflight', '--sauce', 'x'], EXIT.usage, '', /"--sauce" is not an option/],
  ])('%s', async (_what, argv, code, _field, sentence) => {
    const io = capture();
    expect(await main(argv)).toBe(code);
    const text = io.err.join('');
    expect(text).toMatch(sentence);
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(1);
    const message = lines[0]!.replace(/^failguard: /, '');
    expect(isRawErrorText(message), message).toBe(false);
    expect(message).not.toMatch(/\bE[A-Z]{3,}\b|\n\s+at |node:internal|\.ts:\d+/);
    expect(io.out.join('')).toBe('');
  });

  it('keeps usage, work failures and every check outcome on different codes', () => {
    const outcomeCodes = new Set(Object.values(OUTCOME_EXIT));
    for (const c of [EXIT.usage, EXIT.failed, EXIT.cancelled]) expect(outcomeCodes.has(c as never)).toBe(false);
    expect(new Set([EXIT.usage, EXIT.failed, EXIT.cancelled]).size).toBe(3);
  });

  it('documents every exit code in --help', async () => {
    const io = capture();
    expect(await main(['--help'])).toBe(EXIT.ok);
    for (const c of [...new Set([...Object.values(EXIT), ...Object.values(OUTCOME_EXIT)])]) expect(io.out.join('')).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(io.out.join('')).toContain(EXIT_HELP.trim().split('\n')[0]);
  });
});

describe('raw errors become plain sentences', () => {
  const sys = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code}: something low-level, open '/x/y'`), { code, ...extra });
  it.each([
    [sys('ENOENT', { path: '/etc/nope.pem' }), /^\/etc\/nope\.pem does not exist; check the path\.$/],
    [sys('EACCES', { path: '/root/k' }), /^Failguard may not open \/root\/k; check its permissions\.$/],
    [sys('ECONNRESET'), /^The connection was closed by the other side; check that the service is running/],
    [sys('ECONNREFUSED', { address: '198.18.0.11', port: 22 }), /^Nothing answers to 198\.18\.0\.11:22; check that the service runs/],
    [sys('ETIMEDOUT'), /^The connection timed out; check that the host is up/],
    [new Error('Cannot parse privateKey: Unsupported key format'), /^The SSH key file is not a private key Failguard can read/],
    [new Error('Encrypted private key detected, but no passphrase given'), /protected by a passphrase/],
    [new Error('Cannot parse privateKey: Encrypted private OpenSSH key detected, but no passphrase given'), /^The SSH key is protected by a passphrase; give the passphrase too.$/],
    [Object.assign(new Error('InvalidCredentialsError: 80090308: LdapErr: DSID-0C09044E'), { name: 'InvalidCredentialsError' }), /^The directory refused the user name or password/],
    [new SyntaxError('Unexpected end of JSON input'), /^The file is not valid JSON/],
    [new TypeError("Cannot read properties of undefined (reading 'x')\n    at foo (/a/b.ts:1:2)"), /^Failguard could not finish: Cannot read properties of undefined/],
    [new Error('ERR_SOMETHING_WEIRD'), /^Failguard could not finish because of an unexpected problem/],
    [Object.assign(new Error('Invalid login: 535 5.7.8 Authentication credentials invalid'), { code: 'EAUTH' }), /^The mail server refused the user name or password/],
    [Object.assign(new Error('connect ECONNREFUSED 198.18.0.20:2525'), { code: 'ESOCKET' }), /^Nothing answers to 198\.18\.0\.20:2525; check that the service runs/],
    [new Error('unable to verify the first certificate'), /^The server's TLS certificate is not trusted for this name/],
    // A cut link, as the agent's shipper meets it.
    [Object.assign(new Error('connect EINVAL 198.18.0.12:7420 - Local (0.0.0.0:0)'), { code: 'EINVAL', syscall: 'connect', address: '198.18.0.12', port: 7420 }), /^The host to 198\.18\.0\.12:7420 cannot be reached from here; check the network path\.$/],
  ])('%s', (e, sentence) => {
    const m = plainMessage(e);
    expect(m).toMatch(sentence);
    expect(isRawErrorText(m)).toBe(false);
    expect(m.split('\n')).toHaveLength(1);
  });

  it('keeps the sentence of a UserError', () => {
    expect(plainMessage(new UserError('x', 'Do this.'))).toBe('Do this.');
  });
});
