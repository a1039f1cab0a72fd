/**
 * Who may talk to an agent: mutual TLS against the job's CA, a certificate naming this job, and
 * for points, only the host that may send them now. Real sockets on 127.0.0.1, real certificates
 * issued the way provisioning issues them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Server } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createCa, issueAgentCertificate } from '../../electron/provision/pki.ts';
import { agentConfigSchema } from '../../agent/src/config.ts';
import { ask, listen, peerName, type TlsMaterial } from '../../agent/src/peer.ts';
import { Receiver } from '../../agent/src/receiver.ts';
import { StateFile } from '../../agent/src/state.ts';

const JOB = '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11';
const OTHER_JOB = '1c8f6f1f-9b54-4d2b-8d66-3e2f1b5f7c22';
const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

async function material(caOf: Awaited<ReturnType<typeof createCa>>, host: string, jobId = JOB): Promise<TlsMaterial> {
  const a = await issueAgentCertificate(caOf, { jobId, host, addresses: ['127.0.0.1'] });
  return { ca: Buffer.from(caOf.certPem), cert: Buffer.from(a.certPem), key: Buffer.from(a.keyPem) };
}

const config = (host: string) => agentConfigSchema.parse({ version: 1, jobId: JOB, host, role: 'target', listen: { address: '127.0.0.1', port: 0 }, tls: { ca: '/c', cert: '/e', key: '/k' },
  subvolume: '/srv/mail', pointsDir: '/p', receiveDir: mkdtempSync(join(tmpdir(), 'fg-peers-')), stateDir: mkdtempSync(join(tmpdir(), 'fg-peers-')),
  monitor: { source: { name: 'MAIL1', address: '127.0.0.1', port: 1 } } });

describe('an agent\'s peers', () => {
  it('answers only a peer whose certificate is from the job\'s CA and names this job', async () => {
    const ca = await createCa(JOB);
    const mail2 = await material(ca, 'MAIL2');
    const heard: string[] = [];
    const logs: string[] = [];
    const server = listen(config('MAIL2'), mail2, (s, header) => { heard.push(`${peerName(s)}:${String(header.op)}`); s.end(`${JSON.stringify({ ok: true })}\n`); }, (e) => logs.push(e.message));
    servers.push(server);
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    const peer = { name: 'MAIL2', address: '127.0.0.1', port };
    // The job's source: answered.
    expect(await ask(await material(ca, 'MAIL1'), JOB, peer, { op: 'ping' })).toEqual({ ok: true });
    // Same CA, another job's certificate: dropped before any request is read.
    await expect(ask(await material(ca, 'MAIL1', OTHER_JOB), JOB, peer, { op: 'ping' }, 2000)).rejects.toThrow();
    // Another CA altogether (what anyone on the LAN could make): refused by TLS.
    const stranger = await createCa(JOB);
    await expect(ask({ ...(await material(stranger, 'MAIL1')), ca: Buffer.from(ca.certPem) }, JOB, peer, { op: 'ping' }, 2000)).rejects.toThrow();
    expect(heard).toEqual(['MAIL1:ping']);
    expect(logs.some((l) => /certificate is for another job/.test(l))).toBe(true);
    // And the dialler checks the other side: a server that is not the host it expects is refused.
    await expect(ask(await material(ca, 'MAIL1'), JOB, { ...peer, name: 'MAIL3' }, { op: 'ping' }, 2000)).rejects.toThrow(/is not MAIL3 of this job/);
  });

  it('takes points only from the host that may send them now, whatever else holds a job certificate', async () => {
    const c = config('MAIL2');
    const st = new StateFile(c.stateDir, { version: 't', jobId: JOB, host: 'MAIL2', role: 'target', pid: 1, node: 'v', startedAt: 0, points: [], targets: {}, received: { count: 0, newest: null, newestAt: null, lastFrom: null } } as unknown as ConstructorParameters<typeof StateFile>[1]);
    let sender = 'MAIL1';
    const r = new Receiver(c, st, () => sender);
    const said = async (from: string | null, op: string) => {
      let out = '';
      await r.handle({ end: (x: string) => { out = x; } } as unknown as TLSSocket, from, { op }, Buffer.alloc(0));
      return JSON.parse(out) as { error?: string; points?: string[] };
    };
    expect(await said('MAIL1', 'points')).toEqual({ points: [] });
    for (const from of ['witness', 'MAIL3', null]) expect((await said(from, 'receive')).error).toMatch(/^MAIL2 takes points only from MAIL1, not from /);
    // After a failover the witness names MAIL3: now only MAIL3 may send, and the old source is refused.
    sender = 'MAIL3';
    expect(await said('MAIL3', 'points')).toEqual({ points: [] });
    expect((await said('MAIL1', 'receive')).error).toBe('MAIL2 takes points only from MAIL3, not from MAIL1');
  });
});
