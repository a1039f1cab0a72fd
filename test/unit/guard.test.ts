import { describe, expect, it } from 'vitest';
import { checkRequest, tokenCookie, TOKEN_HEADER } from '../../electron/serve/guard.ts';

const cfg = { token: 'tok-123456', port: 4000 };
const req = (url: string, headers: Record<string, string>) => ({ url, headers });

describe('serve guard', () => {
  it.each([
    ['token in the query', req('/?token=tok-123456', { host: '127.0.0.1:4000' }), { ok: true, tokenFromQuery: true }],
    ['token in the header', req('/api/call/app.info', { host: '127.0.0.1:4000', [TOKEN_HEADER]: 'tok-123456' }), { ok: true, tokenFromQuery: false }],
    ['token in the cookie', req('/', { host: 'localhost:4000', cookie: `a=b; ${tokenCookie(4000)}=tok-123456` }), { ok: true, tokenFromQuery: false }],
    ['the token in another port\'s cookie', req('/', { host: 'localhost:4000', cookie: `${tokenCookie(4001)}=tok-123456` }), { ok: false, reason: 'token' }],
    ['no token', req('/', { host: '127.0.0.1:4000' }), { ok: false, reason: 'token' }],
    ['a wrong token', req('/?token=tok-123457', { host: '127.0.0.1:4000' }), { ok: false, reason: 'token' }],
    ['a token of another length', req('/?token=tok', { host: '127.0.0.1:4000' }), { ok: false, reason: 'token' }],
    ['a rebinding host name', req('/?token=tok-123456', { host: 'evil.example:4000' }), { ok: false, reason: 'host' }],
    ['another port in Host', req('/?token=tok-123456', { host: '127.0.0.1:4001' }), { ok: false, reason: 'host' }],
    ['no Host header', req('/?token=tok-123456', {}), { ok: false, reason: 'host' }],
    ['a foreign Origin', req('/?token=tok-123456', { host: '127.0.0.1:4000', origin: 'http://evil.example' }), { ok: false, reason: 'origin' }],
    ['our own Origin', req('/?token=tok-123456', { host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000' }), { ok: true, tokenFromQuery: true }],
  ])('%s', (_name, r, expected) => {
    expect(checkRequest(cfg, r)).toEqual(expected);
  });
});
