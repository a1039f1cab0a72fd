/**
 * `failguard serve`: the renderer and the contract over HTTP on 127.0.0.1.
 * Methods are `POST /api/call/<method>` with a JSON body; events stream as
 * server-sent events from `GET /api/events`. Every request passes the guard first.
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { isMethodName, type EventName, type Events } from '../../shared/contract.ts';
import { createHandlers, dispatch, type CallContext } from '../backend/handlers.ts';
import type { JobSecrets } from '../jobs/job-secrets.ts';
import { toContractError } from '../backend/errors.ts';
import { UserError } from '../../shared/errors.ts';
import { checkRequest, tokenCookie } from './guard.ts';
import { SECURITY_HEADERS } from './headers.ts';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
};
const MAX_BODY = 1024 * 1024;

export interface ServeOptions {
  port: number;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  token?: string;
  /** Where saved jobs' secrets are kept (absent: they are asked each time). */
  secrets?: JobSecrets;
}

export interface RunningServer {
  url: string;
  /**
   * An address with a one-time code instead of the token, for a browser started from here (its
   * command line is readable by other local users): the code works once, within a minute, and
   * is exchanged for the token's cookie.
   */
  oneTimeUrl(): string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...extra });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new UserError('bad-request', 'Requests to the API must be JSON (Content-Type: application/json).');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new UserError('bad-request', 'The request is larger than 1 MB; send less at once.');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new UserError('bad-request', 'The request body is not valid JSON.');
  }
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const handlers = createHandlers({ transport: 'http', ...(opts.secrets ? { secrets: opts.secrets } : {}) });
  const streams = new Set<ServerResponse>();
  const ctx: CallContext = {
    emit<E extends EventName>(event: E, payload: Events[E]) {
      const frame = `event: message\ndata: ${JSON.stringify({ event, payload })}\n\n`;
      for (const s of streams) s.write(frame);
    },
  };
  let port = opts.port;
  const root = normalize(opts.rendererDir);

  const codes = new Map<string, number>();
  const redeem = (raw: string | undefined): boolean => {
    const code = new URL(raw ?? '/', 'http://127.0.0.1').searchParams.get('code');
    if (!code) return false;
    const until = codes.get(code);
    codes.delete(code);
    return until !== undefined && until > Date.now();
  };
  const server = createServer(async (req, res) => {
    const verdict = checkRequest({ token, port }, { url: req.url ?? '/', headers: req.headers });
    // A one-time code from the browser this process opened: the token's cookie, and the page without the code.
    if (!verdict.ok && verdict.reason === 'token' && redeem(req.url)) {
      res.writeHead(303, { ...SECURITY_HEADERS, Location: '/', 'Set-Cookie': `${tokenCookie(port)}=${token}; HttpOnly; SameSite=Strict; Path=/` });
      res.end();
      return;
    }
    if (!verdict.ok) {
      send(res, 403, JSON.stringify({ code: 'forbidden', message: verdict.reason === 'token' ? 'This address needs the token that failguard serve printed.' : 'Requests must come from this machine\'s own Failguard page.' }));
      return;
    }
    const cookie: Record<string, string> = verdict.tokenFromQuery ? { 'Set-Cookie': `${tokenCookie(port)}=${token}; HttpOnly; SameSite=Strict; Path=/` } : {};
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (url.pathname.startsWith('/api/call/')) {
        if (req.method !== 'POST') return send(res, 405, JSON.stringify({ code: 'method', message: 'Use POST to call a method.' }));
        const method = url.pathname.slice('/api/call/'.length);
        if (!isMethodName(method)) return send(res, 404, JSON.stringify({ code: 'unknown-method', message: `There is no method called "${method}".` }));
        try {
          const result = await dispatch(handlers, method, await readJson(req), ctx);
          return send(res, 200, JSON.stringify({ ok: true, result }));
        } catch (e) {
          return send(res, 200, JSON.stringify({ ok: false, error: toContractError(e) }));
        }
      }
      if (url.pathname === '/api/events') {
        res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', Connection: 'keep-alive', ...cookie });
        res.write(': connected\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, JSON.stringify({ code: 'method', message: 'Only GET serves pages.' }));
      const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
      const file = normalize(join(root, rel));
      if (!file.startsWith(root + sep)) return send(res, 404, 'not found', 'text/plain');
      const body = await readFile(file).catch(() => undefined);
      if (!body) return send(res, 404, 'not found', 'text/plain');
      send(res, 200, body, MIME[extname(file)] ?? 'application/octet-stream', cookie);
    } catch (e) {
      send(res, 500, JSON.stringify(toContractError(e)));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new UserError('port-in-use', `Port ${opts.port} is already in use; choose another with --port.`) : e));
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    oneTimeUrl() {
      const code = randomBytes(18).toString('base64url');
      codes.set(code, Date.now() + 60_000);
      return `http://127.0.0.1:${port}/?code=${code}`;
    },
    port,
    token,
    server,
    close: () => new Promise<void>((resolve) => {
      for (const s of streams) s.end();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
