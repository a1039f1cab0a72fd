import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startServer, type RunningServer } from '../../electron/serve/server.ts';
import { VERSION } from '../../electron/backend/version.ts';

let srv: RunningServer;
const dir = mkdtempSync(join(tmpdir(), 'fg-serve-'));

/** Raw HTTP, so Host and Origin can be forged as an attacker would. */
function http(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port: srv.port, path, method: opts.method ?? 'GET', headers: { host: `127.0.0.1:${srv.port}`, ...opts.headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    r.on('error', reject);
    r.end(opts.body);
  });
}

beforeAll(async () => {
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'assets', 'a.js'), 'export {}');
  writeFileSync(join(dir, 'secret.txt'), 'x');
  srv = await startServer({ port: 0, rendererDir: join(dir) });
});
afterAll(() => srv.close());

describe('failguard serve', () => {
  it('listens on 127.0.0.1 only', () => {
    const addr = srv.server.address();
    expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('refuses every request without the token', async () => {
    for (const path of ['/', '/assets/a.js', '/api/events']) expect((await http(path)).status).toBe(403);
    expect((await http('/api/call/app.info', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
  });

  it('serves the page with the token, sets the cookie and a strict CSP', async () => {
    const r = await http(`/?token=${srv.token}`);
    expect(r.status).toBe(200);
    expect(String(r.headers['set-cookie'])).toContain(`fg_token_${srv.port}=${srv.token}`);
    expect(String(r.headers['set-cookie'])).toContain('HttpOnly');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).not.toContain('unsafe');
  });

  it('exchanges a one-time code (what a browser started from here is given) for the cookie, once, never the token in the address', async () => {
    const url = new URL(srv.oneTimeUrl());
    expect(url.search).toMatch(/^\?code=[\w-]{20,}$/);
    expect(url.href).not.toContain(srv.token);
    const first = await http(url.pathname + url.search);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(String(first.headers['set-cookie'])).toContain(`fg_token_${srv.port}=${srv.token}`);
    // Used once: the same code again is refused, and so is a made-up one.
    expect((await http(url.pathname + url.search)).status).toBe(403);
    expect((await http('/?code=not-a-code-at-all-xxxxxx')).status).toBe(403);
  });

  it('answers contract methods for a holder of the cookie', async () => {
    const r = await http('/api/call/app.info', { method: 'POST', headers: { 'content-type': 'application/json', cookie: `fg_token_${srv.port}=${srv.token}` }, body: '{}' });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { ok: boolean; result: { version: string; transport: string } };
    expect(body).toMatchObject({ ok: true, result: { version: VERSION, transport: 'http', name: 'Failguard' } });
  });

  it('refuses forged Host and Origin headers even with the token (DNS rebinding, cross-site)', async () => {
    expect((await http(`/?token=${srv.token}`, { headers: { host: `attacker.example:${srv.port}` } })).status).toBe(403);
    const cross = await http('/api/call/app.info', { method: 'POST', headers: { 'content-type': 'application/json', cookie: `fg_token_${srv.port}=${srv.token}`, origin: 'http://attacker.example' }, body: '{}' });
    expect(cross.status).toBe(403);
  });

  it('rejects unknown methods, non-JSON bodies and paths outside the UI folder', async () => {
    const auth = { cookie: `fg_token_${srv.port}=${srv.token}` };
    expect((await http('/api/call/nope', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    const form = JSON.parse((await http('/api/call/app.info', { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'a=b' })).body) as { ok: boolean; error: { code: string } };
    expect(form).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const bad = JSON.parse((await http('/api/call/operation.cancel', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' })).body) as { ok: boolean; error: { code: string; field: string } };
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request', field: 'operationId' } });
    expect((await http('/../../etc/passwd', { headers: auth })).status).toBe(404);
    expect((await http('/%2e%2e/%2e%2e/etc/passwd', { headers: auth })).status).toBe(404);
  });

  it('says in one sentence when its port is taken', async () => {
    await expect(startServer({ port: srv.port, rendererDir: dir })).rejects.toMatchObject({ code: 'port-in-use' });
  });
});
