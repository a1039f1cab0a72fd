/**
 * Agent-to-agent connections: TLS with mutual authentication against the job's CA; a peer
 * is accepted only when its certificate names this job (O = job id). One JSON line opens
 * each exchange; a `receive` is followed by the stream, and answered with one JSON line.
 */
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { AgentConfig } from './config.ts';
import type { Note } from '../../shared/agent-events.ts';

export interface TlsMaterial { ca: Buffer; cert: Buffer; key: Buffer }

export const loadTls = (c: AgentConfig): TlsMaterial => ({ ca: readFileSync(c.tls.ca), cert: readFileSync(c.tls.cert), key: readFileSync(c.tls.key) });

/** The host a peer's certificate names (its CN), or null. */
export function peerName(s: TLSSocket): string | null {
  const cn = s.getPeerCertificate()?.subject?.CN;
  return typeof cn === 'string' ? cn : Array.isArray(cn) ? cn[0] ?? null : null;
}

/** The job a peer's certificate belongs to (its Organisation), or null. */
export function peerJob(s: TLSSocket): string | null {
  const o = s.getPeerCertificate()?.subject?.O;
  return typeof o === 'string' ? o : Array.isArray(o) ? o[0] ?? null : null;
}

export function listen(c: AgentConfig, tls: TlsMaterial, onExchange: (s: TLSSocket, header: Record<string, unknown>, rest: Buffer) => void, note: Note): Server {
  const server = createServer({ ...tls, requestCert: true, minVersion: 'TLSv1.3' }, (s) => {
    // Nagle off, as on the app's SSH: a send's last small frame and its acknowledgement never wait for a delayed ACK.
    s.setNoDelay(true);
    // The chain was verified against the job's CA; the job itself must match too.
    if (!s.authorized || peerJob(s) !== c.jobId) {
      note({ kind: 'peer', message: `refused a peer from ${s.remoteAddress}: ${s.authorized ? 'its certificate is for another job' : s.authorizationError}` });
      s.destroy();
      return;
    }
    readHeader(s).then(({ header, rest }) => onExchange(s, header, rest), (e: Error) => { note({ kind: 'peer', message: `a peer sent no valid request: ${e.message}` }); s.destroy(); });
  });
  server.listen(c.listen.port, c.listen.address);
  return server;
}

/** Reads the first line as JSON; returns what came after it (the start of a stream). */
export function readHeader(s: TLSSocket): Promise<{ header: Record<string, unknown>; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (buf.length > 65536) { cleanup(); reject(new Error('header too long')); }
        return;
      }
      cleanup();
      s.pause();
      try {
        resolve({ header: JSON.parse(buf.subarray(0, nl).toString('utf8')) as Record<string, unknown>, rest: buf.subarray(nl + 1) });
      } catch (e) {
        reject(e as Error);
      }
    };
    const onEnd = () => { cleanup(); reject(new Error('the connection ended before a request')); };
    const cleanup = () => { s.off('data', onData); s.off('end', onEnd); s.off('error', onEnd); };
    s.on('data', onData);
    s.once('end', onEnd);
    s.once('error', onEnd);
  });
}

/** A replication socket that moves nothing for this long is dead (a peer that lost power mid-send, or died after its answer). */
export const IDLE_TIMEOUT_MS = 60_000;

/**
 * Keepalive and an idle timeout on a long-lived replication socket, so neither side waits forever
 * for a peer that vanished without closing (power loss, a cut cable): the socket is destroyed with a reason.
 */
export function watchIdle(s: TLSSocket, what: string, ms = IDLE_TIMEOUT_MS): void {
  s.setKeepAlive(true, 10_000);
  s.setTimeout(ms, () => s.destroy(new Error(`${what}: nothing moved for ${Math.round(ms / 1000)} s; the peer is gone`)));
}

/** Opens a connection to a peer of this job; the peer's certificate must name the job and the expected host. */
export function dial(tls: TlsMaterial, jobId: string, peer: { name: string; address: string; port: number; localAddress?: string }, timeoutMs = 10_000): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = connect({ ...tls, host: peer.address, port: peer.port, minVersion: 'TLSv1.3', ...(peer.localAddress ? { localAddress: peer.localAddress } : {}),
      // The chain is verified by Node against the job's CA; the identity is the host name in CN and the job in O.
      checkServerIdentity: (_host, cert) => (cert.subject.CN === peer.name && cert.subject.O === jobId ? undefined : new Error(`the peer at ${peer.address} is not ${peer.name} of this job`)) });
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`${peer.name} (${peer.address}:${peer.port}) did not answer`)); }, timeoutMs);
    s.once('secureConnect', () => { clearTimeout(timer); s.setNoDelay(true); resolve(s); });
    s.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/** One request, one JSON answer (no stream); `timeoutMs` bounds the whole of it, connection and answer (a round trip's RTTmax). */
export async function ask(tls: TlsMaterial, jobId: string, peer: { name: string; address: string; port: number; localAddress?: string }, header: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  // On the monotonic clock: a wall clock set back meanwhile must not stretch a round past RTTmax.
  const end = performance.now() + timeoutMs;
  const s = await dial(tls, jobId, peer, timeoutMs);
  timeoutMs = Math.max(1, end - performance.now());
  try {
    // Not ended here: a TLS peer that sees our end closes its side too, before it could answer.
    const answer = readHeader(s);
    s.write(`${JSON.stringify(header)}\n`);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${peer.name} did not answer in time`)), timeoutMs); });
    try {
      return (await Promise.race([answer, late])).header;
    } finally {
      clearTimeout(timer);
    }
  } finally {
    s.destroy();
  }
}
