/**
 * The witness's lease on disk fails closed, a standby's promise holds across processes, and the
 * admission service answers Postfix's policy protocol with the decision of that moment.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { LeaseStore } from '../../agent/src/monitor/lease.ts';
import { promiseLeftS, recordStandbyAnswer } from '../../agent/src/monitor/promise.ts';
import { startAdmission } from '../../agent/src/monitor/admission.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'fg-lease-'));

describe('the witness\'s lease on disk', () => {
  it('starts at epoch 0 naming the source only when there is no file; grants are durable and kept in a history', () => {
    const dir = fresh();
    const a = new LeaseStore(dir, 'MAIL1');
    expect(a.get()).toMatchObject({ epoch: 0, active: 'MAIL1' });
    expect(a.grant('MAIL2', 'MAIL2 asked')).toMatchObject({ epoch: 1, active: 'MAIL2' });
    expect(new LeaseStore(dir, 'MAIL1').get()).toMatchObject({ epoch: 1, active: 'MAIL2' });
    const history = readFileSync(join(dir, 'lease-history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; active: string; why: string });
    expect(history).toEqual([expect.objectContaining({ epoch: 1, active: 'MAIL2', why: 'MAIL2 asked' })]);
  });

  it.each([
    ['corrupt JSON', '{"epoch": 3, "act'],
    ['a record that makes no sense', '{"epoch": -2, "active": "MAIL2", "at": 1}'],
    ['an empty file', ''],
  ])('%s: no one may serve (never epoch 0 with the source), and nothing is granted', (_name, text) => {
    const dir = fresh();
    writeFileSync(join(dir, 'lease.json'), text);
    const l = new LeaseStore(dir, 'MAIL1');
    expect(l.get().active).toBe('');
    expect(l.blocked).toMatch(/lease file .*lease\.json.*no server may take mail until a person/);
    expect(() => l.grant('MAIL2', 'asked')).toThrow(/no server may take mail/);
  });

  it('a lease file gone while its history shows grants is blocked, naming the last holder; never epoch 0 for the old source', async () => {
    const dir = fresh();
    new LeaseStore(dir, 'MAIL1').grant('MAIL3', 'MAIL3 asked');
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'lease.json'));
    const again = new LeaseStore(dir, 'MAIL1');
    expect(again.get()).toMatchObject({ active: '', epoch: -1 });
    expect(again.blocked).toMatch(/lease file .* is gone, though its history shows lease 1 given to MAIL3; no server may take mail until a person/);
    expect(() => again.grant('MAIL2', 'MAIL2 asked')).toThrow(/is gone/);
  });

  it('an unreadable file (a folder where the file should be) is blocked too', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'lease.json'));
    expect(new LeaseStore(dir, 'MAIL1').blocked).toMatch(/cannot be read/);
  });
});

describe('a standby\'s promise', () => {
  it('binds for the promise after an answer, frees after it, and binds fully when unreadable', async () => {
    const dir = fresh();
    expect(promiseLeftS(dir, 25)).toBe(0);
    recordStandbyAnswer(dir);
    expect(promiseLeftS(dir, 25)).toBeGreaterThan(24);
    await new Promise((r) => setTimeout(r, 30));
    expect(promiseLeftS(dir, 0.02)).toBe(0);
    writeFileSync(join(dir, 'standby-promise.json'), 'not json');
    expect(promiseLeftS(dir, 25)).toBe(25);
  });
});

describe('the admission service', () => {
  it('answers each policy request on one connection with the decision of that moment', async () => {
    let admit = true;
    const changes: boolean[] = [];
    const server = startAdmission('MAIL1', () => admit, (a) => changes.push(a), (e) => { throw e; }, { postfix: 0, dovecot: 0 });
    await new Promise((r) => server.postfix.once('listening', r));
    const port = (server.postfix.address() as { port: number }).port;
    const s = connect({ port, host: '127.0.0.1' });
    const answers: string[] = [];
    let buf = '';
    s.on('data', (d) => { buf += d.toString(); for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) { answers.push(buf.slice(0, i)); buf = buf.slice(i + 2); } });
    const request = 'request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=user000001@lab.test\n\n';
    const next = async (n: number) => { while (answers.length < n) await new Promise((r) => setTimeout(r, 5)); };
    s.write(request);
    await next(1);
    admit = false;
    s.write(request.slice(0, 20));
    s.write(request.slice(20));
    await next(2);
    s.destroy();
    server.close();
    expect(answers).toEqual(['action=DUNNO', expect.stringMatching(/^action=451 4\.7\.1 MAIL1 is not confirmed/)]);
    expect(changes).toEqual([true, false]);
  });

  it('answers Dovecot\'s authentication policy over HTTP: a sign-in refused while this host may not serve, a report always taken', async () => {
    let admit = false;
    const server = startAdmission('MAIL1', () => admit, () => undefined, (e) => { throw e; }, { postfix: 0, dovecot: 0 });
    await new Promise((r) => server.dovecot.once('listening', r));
    const url = `http://127.0.0.1:${(server.dovecot.address() as { port: number }).port}/`;
    const ask = async (command: string) => (await fetch(`${url}?command=${command}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'user000001@lab.test', pwhash: 'ab12', remote: '198.18.0.1', protocol: 'imap' }) })).json() as Promise<{ status: number; msg: string }>;
    const refused = await ask('allow');
    const reported = await ask('report');
    admit = true;
    const allowed = await ask('allow');
    server.close();
    expect(refused).toEqual({ status: -1, msg: expect.stringMatching(/^MAIL1 is not confirmed as the server that serves this mail now/) });
    expect(reported).toEqual({ status: 0, msg: '' });
    expect(allowed).toEqual({ status: 0, msg: '' });
  });
});

/** MAIL2's configuration as a standby whose witness and source answer nothing (port 1), with certificates that are none. */
function standbyMail2(profile: 'standard' | 'fast') {
  const dir = fresh();
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), 'not a certificate');
  const c = { host: 'MAIL2', role: 'target', jobId: 'j', stateDir: dir, tls: { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
    monitor: { source: { name: 'MAIL1', address: '127.0.0.1', port: 1 }, witness: { name: 'witness', address: '127.0.0.1', port: 1 }, mode: 'alert', timeoutSeconds: 60, profile, services: [] } } as never;
  return { dir, c };
}

describe('a person\'s failover asks for the lease only when the standby\'s promise allows it', () => {
  it('refuses while the promise binds, says why, and leaves no marker behind', async () => {
    const { takeLease } = await import('../../agent/src/commands.ts');
    const { isAsking } = await import('../../agent/src/monitor/promise.ts');
    const { dir, c } = standbyMail2('standard');
    recordStandbyAnswer(dir);
    await expect(takeLease(c)).rejects.toThrow(/^MAIL2 heard MAIL1 within the last 1 s, so MAIL1 may still be taking mail; MAIL2 asks for the lease only once it has not heard MAIL1 for 10 s/);
    expect(isAsking(dir)).toBe(false);
  });

  it('a request\'s marker never expires by itself; only a settled one goes, by its own name, and a new asker\'s stays', async () => {
    const { beginAsking, endAsking, isAsking, settleAsking } = await import('../../agent/src/monitor/promise.ts');
    const dir = fresh();
    expect(isAsking(dir)).toBe(false);
    // A request from before a reboot (its time is from another boot's clock): still a marker, until settled.
    writeFileSync(join(dir, 'lease-asking-old'), String(Number.MAX_SAFE_INTEGER));
    expect(isAsking(dir)).toBe(true);
    const fresh1 = beginAsking(dir);
    expect(settleAsking(dir)).toEqual(['lease-asking-old']);
    expect(isAsking(dir)).toBe(true);
    expect(settleAsking(dir)).toEqual([]);
    endAsking(dir, fresh1);
    expect(isAsking(dir)).toBe(false);
  });

  it('the witness does not answer: the marker stays (it may have granted the lease), so the agent answers as no standby', async () => {
    const { takeLease } = await import('../../agent/src/commands.ts');
    const { isAsking } = await import('../../agent/src/monitor/promise.ts');
    const { dir, c } = standbyMail2('fast');
    await expect(takeLease(c)).rejects.toMatchObject({ code: 'witness-unreachable' });
    expect(isAsking(dir)).toBe(true);
  });

  it('announces the request before it checks the promise: an answer given meanwhile is not a standby\'s', async () => {
    const { beginAsking, endAsking, isAsking } = await import('../../agent/src/monitor/promise.ts');
    const dir = fresh();
    const marker = beginAsking(dir);
    expect(isAsking(dir)).toBe(true);
    endAsking(dir, marker);
    expect(isAsking(dir)).toBe(false);
  });
});
