/**
 * The deadlines the failover timing counts on (agent/src/monitor/rules.ts servingBounds), kept by
 * the agent's real code on real sockets and processes: a round to a peer is over within RTTmax as
 * a whole (a slow TLS handshake and a late answer do not each get it), and stopping the mail
 * services is over within D even when a service ignores its stop (it is killed in the last second).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { createCa, issueAgentCertificate } from '../../electron/provision/pki.ts';
import { agentConfigSchema } from '../../agent/src/config.ts';
import { ask, listen, type TlsMaterial } from '../../agent/src/peer.ts';
import { KILL_MS, stopServices } from '../../agent/src/monitor/services.ts';
import { DEFAULT_TIMING } from '../../agent/src/monitor/rules.ts';
import { shq } from '../../shared/quote.ts';

const JOB = '0b7f5f0e-8a43-4c1a-9c55-2d1f0a4e6b11';
const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));
const dir = mkdtempSync(join(tmpdir(), 'fg-deadlines-'));

async function material(host: string): Promise<TlsMaterial> {
  const ca = await createCa(JOB);
  const a = await issueAgentCertificate(ca, { jobId: JOB, host, addresses: ['127.0.0.1'] });
  return { ca: Buffer.from(ca.certPem), cert: Buffer.from(a.certPem), key: Buffer.from(a.keyPem) };
}

describe('a round to a peer', () => {
  it('is over within its deadline as a whole when the handshake is slow and the answer never comes', async () => {
    const tls = await material('MAIL2');
    const config = agentConfigSchema.parse({ version: 1, jobId: JOB, host: 'MAIL2', role: 'target', listen: { address: '127.0.0.1', port: 0 }, tls: { ca: '/c', cert: '/e', key: '/k' },
      subvolume: '/srv/mail', pointsDir: '/p', receiveDir: dir, stateDir: dir, monitor: { source: { name: 'MAIL1', address: '127.0.0.1', port: 1 } } });
    // The peer answers nothing; in front of it a relay that holds each connection's first bytes back 600 ms (a slow handshake).
    const peer = listen(config, tls, () => undefined, () => undefined);
    servers.push(peer);
    await new Promise((r) => peer.once('listening', r));
    const relay = createServer((c) => {
      const up = connect((peer.address() as AddressInfo).port, '127.0.0.1');
      c.once('data', (first: Buffer) => setTimeout(() => { up.write(first); c.pipe(up); up.pipe(c); }, 600));
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    servers.push(relay);
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const deadline = 1000;
    const started = performance.now();
    const e = await ask(tls, JOB, { name: 'MAIL2', address: '127.0.0.1', port: (relay.address() as AddressInfo).port }, { op: 'heartbeat' }, deadline).then(() => null, (x: unknown) => x as Error);
    const took = performance.now() - started;
    expect(e?.message).toMatch(/did not answer/);
    // Not the handshake's 600 ms plus a whole second for the answer: the one deadline, and a little.
    expect(took).toBeGreaterThanOrEqual(deadline - 20);
    expect(took).toBeLessThan(deadline + 300);
  });
});

describe('stopping the mail services', () => {
  /** Two services that ignore their stop (and whose check is `check` of their marker file) stopped within D: what was noted, how long it took, what still "runs". */
  async function stopWithin(mark: string, check: (file: string) => string) {
    const alive = (n: string) => join(dir, `${n}.${mark}`);
    const service = (n: string) => ({ name: n, start: 'true', stop: 'sleep 30', check: check(alive(n)), kill: `rm -f ${shq(alive(n))}` });
    for (const n of ['postfix', 'dovecot']) writeFileSync(alive(n), '');
    const d = DEFAULT_TIMING.fenceDeadlineS * 1000;
    const notes: string[] = [];
    const started = performance.now();
    const ok = await stopServices([service('dovecot'), service('postfix')], d, (e) => notes.push(`${String((e as { action?: string }).action)}:${String((e as { service?: string }).service ?? '')}`));
    return { d, ok, took: performance.now() - started, notes: notes.sort(), left: [existsSync(alive('postfix')), existsSync(alive('dovecot'))] };
  }

  it('keeps to the deadline D when a service ignores its stop: the last second kills what still runs', async () => {
    const r = await stopWithin('running', (f) => `test -e ${shq(f)}`);
    expect([r.ok, r.left, r.notes]).toEqual([true, [false, false], ['killed:dovecot', 'killed:postfix']]);
    expect(r.took).toBeLessThan(r.d + 300);
    expect(r.took).toBeGreaterThanOrEqual(r.d - KILL_MS - 50);
  });

  it('keeps to D when a service is wedged so that its check hangs too: a check that does not answer counts as running, and it is killed', async () => {
    // While it "runs", its check never answers (as `doveadm service status` on a wedged Dovecot); its stop is ignored.
    const r = await stopWithin('wedged', (f) => `test -e ${shq(f)} && sleep 30`);
    expect([r.ok, r.left, r.notes]).toEqual([true, [false, false], ['killed:dovecot', 'killed:postfix']]);
    expect(r.took).toBeLessThan(r.d + 300);
  });

  it('kills a service whose stop was cut off even when its check says "not active" (systemd\'s exit 3 while a unit is still deactivating)', async () => {
    // Running at the first look; from then on its check says 3, as `systemctl is-active` does for a unit still deactivating.
    const r = await stopWithin('deactivating', (f) => `test -e ${shq(`${f}.seen`)} || { touch ${shq(`${f}.seen`)}; exit 0; }; exit 3`);
    expect([r.ok, r.left, r.notes]).toEqual([true, [false, false], ['killed:dovecot', 'killed:postfix']]);
  });
});
