/**
 * Who may talk to `failguard serve`: only a browser on this machine that holds the
 * token. The Host and Origin checks stop DNS rebinding (a foreign site whose name
 * resolves to 127.0.0.1) and cross-site requests; the token stops other local users.
 */
import { timingSafeEqual } from 'node:crypto';

/** The cookie that carries the token, named for the port: two servers on this machine never take each other's. */
export const tokenCookie = (port: number) => `fg_token_${port}`;
export const TOKEN_HEADER = 'x-failguard-token';

export interface GuardConfig {
  token: string;
  port: number;
}

export type GuardResult = { ok: true; tokenFromQuery: boolean } | { ok: false; reason: 'host' | 'origin' | 'token' };

export interface GuardedRequest {
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return rest.join('=');
  }
  return undefined;
}

export function checkRequest(cfg: GuardConfig, req: GuardedRequest): GuardResult {
  const host = one(req.headers.host)?.toLowerCase();
  if (!host || !allowedHosts(cfg.port).includes(host)) return { ok: false, reason: 'host' };
  const origin = one(req.headers.origin);
  if (origin !== undefined && !allowedHosts(cfg.port).map((h) => `http://${h}`).includes(origin.toLowerCase())) return { ok: false, reason: 'origin' };
  const query = new URL(req.url, 'http://127.0.0.1').searchParams.get('token') ?? undefined;
  if (sameToken(query, cfg.token)) return { ok: true, tokenFromQuery: true };
  if (sameToken(one(req.headers[TOKEN_HEADER]), cfg.token)) return { ok: true, tokenFromQuery: false };
  if (sameToken(cookieValue(one(req.headers.cookie), tokenCookie(cfg.port)), cfg.token)) return { ok: true, tokenFromQuery: false };
  return { ok: false, reason: 'token' };
}
