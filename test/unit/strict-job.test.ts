/**
 * Strict job files: what a hostile or careless job file may not carry. Each refusal is one
 * sentence on stderr with the usage exit code (64), before anything is reached or installed.
 */
import { capture } from './capture-output.ts';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main, EXIT } from '../../electron/cli/main.ts';
import { certificatesOf } from '../../electron/provision/alert-receivers.ts';
import { isRawErrorText } from '../../shared/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'fg-strict-job-'));
const base = { version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: '198.18.0.12' }] };
const smtp = (host: string) => ({ kind: 'smtp', host, from: 'fg@lab.test', to: ['it@lab.test'] });

describe('a job file carrying what it must not is refused in one sentence with exit 64, nothing done', () => {
  it.each([
    ['a protected path that climbs out with ..', { protect: ['/srv/mail/../../etc'] }, 'protect.0', /contains "\." or "\.\."/],
    ['a protected path with quotes and $(…)', { protect: ["/srv/mail'$(touch /tmp/x)'"] }, 'protect.0', /contains "'", which Failguard does not allow/],
    ['a protected path with a backtick', { protect: ['/srv/`id`'] }, 'protect.0', /contains "`"/],
    ['a protected path with a newline', { protect: ['/srv/mail\nrm'] }, 'protect.0', /contains "\\n"/],
    ['a protected path with a dot segment', { protect: ['/srv/./mail'] }, 'protect.0', /contains "\." or "\.\."/],
    ['the root as the protected path', { protect: ['/'] }, 'protect.0', /whole file system/],
    ['a relative protected path', { protect: ['srv/mail'] }, 'protect.0', /not an absolute path/],
    ['an alert receiver whose host is $(…)', { alerts: [smtp('$(touch /tmp/x)')] }, 'alerts.0.host', /not a host name or an IP address/],
    ['an alert receiver whose host has a space', { alerts: [{ kind: 'syslog', host: 'log host' }] }, 'alerts.0.host', /not a host name or an IP address/],
    ['a server name with $(…)', { targets: [{ name: 'MAIL2$(id -u >/tmp/x)', address: '198.18.0.12' }] }, 'targets.0.name', /not a server name/],
    ['a server name that climbs folders', { source: { name: 'x/../ca', address: '198.18.0.11' } }, 'source.name', /not a server name/],
    ['a witness name with a quote', { witness: { name: "w'", address: '198.18.0.13' } }, 'witness.name', /not a server name/],
  ])('%s', async (_what, over, field, sentence) => {
    const file = join(dir, `${field}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ ...base, ...over }));
    for (const argv of [['protect', '--job', file, '--yes'], ['status', '--job', file]]) {
      const io = capture();
      expect(await main(argv), argv.join(' ')).toBe(EXIT.usage);
      const lines = io.err.join('').trim().split('\n');
      expect(lines, argv.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(sentence);
      expect(lines[0]).toContain(field);
      expect(isRawErrorText(lines[0]!.replace(/^failguard: /, ''))).toBe(false);
      expect(io.out.join('')).toBe('');
    }
  });

  it('takes ordinary values: a nested path, names with - _ ., a host name, IPv4 and IPv6 receivers', async () => {
    const { checkJob } = await import('../../electron/jobs/job-file.ts');
    const job = checkJob({ ...base, source: { name: 'mail-1.lab', address: '198.18.0.11' }, targets: [{ name: 'MAIL_2', address: '198.18.0.12' }], protect: ['/srv/mail.d/exchange+data@2'],
      alerts: [smtp('smtp.lab.test'), { kind: 'syslog', host: '198.18.0.20' }, { kind: 'snmp-v2c', host: 'fd00::20' }] });
    expect(job.protect).toEqual(['/srv/mail.d/exchange+data@2']);
    // A path saved with a trailing or doubled slash means the same and is read the normal way.
    expect(checkJob({ ...base, protect: ['/srv//mail/'] }).protect).toEqual(['/srv/mail']);
    expect(job.alerts.map((a) => a.host)).toEqual(['smtp.lab.test', '198.18.0.20', 'fd00::20']);
  });
});

describe('a job saved before the stricter checks', () => {
  it('can be replaced by a corrected one (another file that is not a job still cannot)', async () => {
    const { writeJob, checkJob } = await import('../../electron/jobs/job-file.ts');
    const file = join(dir, 'old-job.json');
    writeFileSync(file, JSON.stringify({ ...base, alerts: [smtp('smtp host')] }));
    await writeJob(file, checkJob(base));
    expect(checkJob(JSON.parse(readFileSync(file, 'utf8'))).alerts).toEqual([]);
    const other = join(dir, 'not-a-job.json');
    writeFileSync(other, '{"something": "else"}');
    await expect(writeJob(other, checkJob(base))).rejects.toThrow(/not a Failguard job/);
  });
});

describe('an alert receiver\'s caFile: only the certificates in it leave this computer', () => {
  const key = join(dir, 'ca.key');
  const cert = join(dir, 'ca.pem');
  spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=alerts-ca'], { stdio: 'ignore' });

  it('a file with a key and a certificate gives the certificate alone', async () => {
    const { readFileSync } = await import('node:fs');
    const both = join(dir, 'both.pem');
    writeFileSync(both, readFileSync(key, 'utf8') + readFileSync(cert, 'utf8'));
    const shipped = certificatesOf(both, 0);
    expect(shipped).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(shipped).not.toMatch(/PRIVATE KEY/);
  });

  it.each([
    ['a private key', () => key, /holds no PEM certificate/],
    ['a password file', () => { const f = join(dir, 'pw.txt'); writeFileSync(f, 'hunter2\n'); return f; }, /holds no PEM certificate/],
    ['a certificate block that does not parse', () => { const f = join(dir, 'bad.pem'); writeFileSync(f, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'); return f; }, /holds no PEM certificate/],
    ['a file that does not exist', () => join(dir, 'nope.pem'), /cannot be read; check the path/],
  ])('%s is refused in one sentence', (_what, file, sentence) => {
    expect(() => certificatesOf(file(), 2)).toThrow(sentence);
  });
});
