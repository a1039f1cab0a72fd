import { describe, expect, it } from 'vitest';
import { checkJob } from '../../electron/jobs/job-file.ts';
import { changeLine, jobChanges } from '../../shared/job-diff.ts';

const saved = checkJob({ version: 1, id: '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11', name: 'Lab', source: { name: 'MAIL1', address: '198.18.0.11' },
  targets: [{ name: 'MAIL2', address: '198.18.0.12' }], witness: { name: 'witness', address: '198.18.0.13' },
  failover: { dns: [{ zone: 'lab.test', name: 'mail', type: 'A' }] }, hostKeys: [] });

describe('what a reconfiguration changes', () => {
  it('is nothing for the same job, pins and certificates aside', () => {
    expect(jobChanges(saved, saved)).toEqual([]);
    expect(jobChanges(saved, { ...saved, hostKeys: [{ host: '198.18.0.11', port: 22, algorithm: 'ssh-ed25519', fingerprint: `SHA256:${'A'.repeat(43)}` }], certificates: { ca: undefined, agents: { MAIL1: `${'AB:'.repeat(31)}AB` } } })).toEqual([]);
  });

  it('names a target added, a schedule changed and a DNS record added to failover', () => {
    const next = checkJob({ ...saved, targets: [{ ...saved.targets[0]!, options: { ...saved.targets[0]!.options, schedule: 'mon-fri 08-18 20mbit' } }, { name: 'MAIL3', address: '198.18.0.14' }],
      failover: { ...saved.failover, dns: [...saved.failover.dns, { zone: 'example.test', name: '@', type: 'MX', server: { address: '198.18.0.40', key: 'failguard-update' } }] } });
    const changes = jobChanges(saved, next);
    expect(changes).toEqual([
      { kind: 'added', area: 'servers', subject: 'target MAIL3' },
      { kind: 'changed', area: 'replication', subject: 'target MAIL2', field: 'bandwidth schedule', before: 'unlimited', after: 'mon-fri 08-18 20mbit' },
      { kind: 'added', area: 'failover', subject: 'DNS record example.test MX' },
    ]);
    expect(changes.map(changeLine)).toEqual(['+ target MAIL3', '~ target MAIL2: bandwidth schedule unlimited → mon-fri 08-18 20mbit', '+ DNS record example.test MX']);
  });

  it('names a rehearsal schedule chosen', () => {
    const next = checkJob({ ...saved, rehearsals: { every: 'week', weekday: 'wed', time: '22:30', target: 'MAIL2' } });
    expect(jobChanges(saved, next).map(changeLine)).toEqual(['~ the job: rehearsals by themselves not scheduled → every Wednesday at 22:30 on MAIL2']);
  });

  it('names a removed target and witness, a new source, the failover mode and an alert receiver', () => {
    const next = checkJob({ ...saved, source: { name: 'MAIL4', address: '198.18.0.15' }, witness: undefined, failover: { ...saved.failover, mode: 'automatic', timeoutSeconds: 30 },
      alerts: [{ kind: 'syslog', host: '198.18.0.40' }] });
    expect(jobChanges(saved, next).map((c) => [c.kind, c.subject, c.field, c.after])).toEqual([
      ['changed', 'the source', 'server', 'MAIL4'],
      ['removed', 'witness witness', undefined, undefined],
      ['changed', 'failover', 'mode', 'automatic'],
      ['changed', 'failover', 'timeout (seconds)', '30'],
      ['added', 'alert receiver syslog 198.18.0.40:514', undefined, undefined],
    ]);
  });
});
