/** Readiness checks the lab waits on: each asks a real service the question a client would. */
import { connect } from 'node:net';
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { Client } from 'ldapts';
import { sleep } from './sh.ts';

/** Connects and reads the first line the server sends (SSH, SMTP and IMAP all greet first). */
export function readBanner(host: string, port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    let buf = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`${host}:${port} sent nothing within ${timeoutMs} ms`)); }, timeoutMs);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\n')) { clearTimeout(timer); sock.destroy(); resolve(buf.split('\n')[0]!.trim()); }
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

export async function ldapsBind(opts: { address: string; serverName: string; caFile: string; bindDn: string; password: string }): Promise<void> {
  const client = new Client({ url: `ldaps://${opts.address}:636`, timeout: 3000, connectTimeout: 3000,
    tlsOptions: { ca: [readFileSync(opts.caFile)], servername: opts.serverName } });
  try {
    await client.bind(opts.bindDn, opts.password);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

export async function dnsA(server: string, name: string): Promise<string[]> {
  const r = new Resolver({ timeout: 1000, tries: 1 });
  r.setServers([server]);
  return r.resolve4(name);
}

/** Retries a check until it passes or the time is up; the last error explains a failure. */
export async function waitFor(what: string, check: () => Promise<unknown>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await check();
      return;
    } catch (e) {
      last = e;
      await sleep(200);
    }
  }
  throw new Error(`${what} did not answer within ${Math.round(timeoutMs / 1000)} s (${last instanceof Error ? last.message : String(last)}).`);
}
