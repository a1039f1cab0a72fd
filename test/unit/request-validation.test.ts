/** Every request crossing a transport is parsed by its schema; a malformed one is a bad-request naming the field, and no handler runs. */
import { describe, expect, it } from 'vitest';
import { createHandlers, dispatch } from '../../electron/backend/handlers.ts';
import { METHOD_NAMES } from '../../shared/contract.ts';
import { REQUEST_SCHEMAS } from '../../shared/schemas.ts';

const handlers = createHandlers({ transport: 'http' });
const ctx = { emit: () => undefined };
const host = (over: Record<string, unknown> = {}) => ({ name: 'MAIL1', address: '198.18.0.11', port: 22, user: 'root', auth: { kind: 'key', keyFile: '/k' }, ...over });
const run = (over: Record<string, unknown> = {}) => ({ operationId: 'op', source: host(), targets: [host({ name: 'MAIL2', address: '198.18.0.12' })], pins: [], ...over });

describe('requests are checked by a schema at the boundary', () => {
  it('has a schema and a handler for every contract method, and nothing else', () => {
    expect(Object.keys(REQUEST_SCHEMAS).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.keys(handlers).sort()).toEqual([...METHOD_NAMES].sort());
  });

  it.each([
    ['preflight.run', run({ targets: [host({ address: undefined })] }), 'targets[0].address', /targets\[0\]\.address: is missing/],
    ['preflight.run', run({ targets: [] }), 'targets', /choose at least one target/],
    ['preflight.run', run({ source: host({ port: 70000 }) }), 'source.port', /source\.port/],
    ['preflight.run', run({ source: host({ auth: { kind: 'telepathy' } }) }), 'source.auth.kind', /source\.auth\.kind/],
    ['preflight.run', run({ consent: ['rm -rf /'] }), 'consent[0]', /consent\[0\]: not a plan id/],
    ['preflight.run', run({ pins: [{ host: 'x', port: 22, algorithm: 'ssh', fingerprint: 'MD5:aa' }] }), 'pins[0].fingerprint', /not an SSH fingerprint/],
    ['preflight.run', run({ fixes: [] }), 'fixes', /has a field it does not know \(fixes\)/],
    ['preflight.run', 'not an object', '(request)', /\(request\)/],
    ['directory.discover', { operationId: 'op', target: { kind: 'domain' }, credentials: { username: 'a', password: 'b' } }, 'target.domain', /target\.domain: is missing/],
    ['preflight.report', { report: {}, format: 'docx' }, 'report.schema', /report\.schema/],
    ['operation.cancel', { operationId: 42 }, 'operationId', /operationId/],
    ['app.info', { extra: true }, 'extra', /does not know \(extra\)/],
    ['protect.apply', { operationId: 'op', job: {}, consent: 'now' }, 'consent', /consent: not a plan id/],
    ['jobs.status', { jobId: '../../etc/passwd' }, 'jobId', /jobId: not a job id/],
    ['jobs.opened', { jobId: 'x' }, 'jobId', /jobId: not a job id/],
    ['directory.discover', { operationId: 'op', target: { kind: 'domain', domain: 'lab.test' }, credentials: { username: 'a', password: '', savedFor: '../x' } }, 'credentials.savedFor', /credentials\.savedFor: not a job id/],
    ['protect.plan', { operationId: 'op', job: {}, dnsSecrets: { 'key': 'not base64!' } }, 'dnsSecrets.key', /not a base64 secret/],
  ])('%s %j → bad-request on %s', async (method, request, field, sentence) => {
    const call = dispatch(handlers, method as never, request, ctx);
    await expect(call).rejects.toMatchObject({ code: 'bad-request', field });
    await expect(call).rejects.toThrow(sentence);
    await expect(call).rejects.toThrow(/Nothing was done\.$/);
  });

  it('checks the wizard\'s job with the job schema: the job\'s own field, in plain words, before any connection', async () => {
    const job = { version: 1, id: '0d5e8f7a-6b4c-4d3e-9f2a-1b0c9d8e7f6a', name: 'J', source: { name: 'MAIL1', address: '198.18.0.11' }, targets: [{ name: 'MAIL2', address: 'mail2.lab.test' }] };
    const events: unknown[] = [];
    const call = dispatch(handlers, 'protect.plan', { operationId: 'op-job', job }, { emit: (_e: string, p: unknown) => void events.push(p) } as never);
    await expect(call).rejects.toMatchObject({ code: 'bad-job', field: 'targets[0].address' });
    await expect(call).rejects.toThrow(/targets\[0\]\.address: not an IP address/);
    const stale = dispatch(handlers, 'protect.plan', { operationId: 'op-job2', job: { ...job, version: 7 } }, ctx);
    await expect(stale).rejects.toThrow(/version 7, newer than this Failguard understands/);
    // A saved job that does not exist is a plain sentence, not a file error.
    await expect(dispatch(handlers, 'jobs.status', { jobId: '0d5e8f7a-6b4c-4d3e-9f2a-1b0c9d8e7f6a' }, ctx)).rejects.toMatchObject({ code: 'no-job', field: 'jobId' });
  });

  it('lets a well-formed request through to its handler', async () => {
    await expect(dispatch(handlers, 'app.info', {}, ctx)).resolves.toMatchObject({ name: 'Failguard' });
    await expect(dispatch(handlers, 'operation.cancel', { operationId: 'nothing-running' }, ctx)).resolves.toEqual({ cancelled: false });
  });
});
