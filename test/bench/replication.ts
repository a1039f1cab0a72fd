/**
 * `npm run bench -- replication [--json]`: mail1 → mail2 on the lab, mail1's link shaped to
 * 100 Mbit/s. In one run:
 *  1. btrbk (Debian's package: snapshot + send/receive over SSH) copies the protection set
 *     with at least 1 GiB of incompressible data; then Failguard's initial sync of the same
 *     data. Link efficiency = payload bytes per second / link rate, for both.
 *  2. A steady load (about 2 MB/s of mail through Postfix and appends) for a minute; the RPO
 *     (age of the newest point on the target) sampled every second.
 *  3. Compressible mail text with zstd: bytes on the wire against bytes sent.
 *  4. The full write-order torture run (100 kill points).
 * Goals: link efficiency ≥ 0.9 and ≥ btrbk's; RPO p95 < 2 s; 0 inconsistent points; wire
 * bytes well under uncompressed.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { protect } from '../../electron/provision/service.ts';
import { inHost, jobKeysFor, lab, labStatus, resetProtection, sendMail, type LabStatus } from '../integration/helpers.ts';
import { runTorture } from '../torture/torture.ts';
import { pointTime } from '../../shared/replication.ts';
import { benchBtrbk } from './btrbk.ts';

const LINK_RATE_BYTES = 100e6 / 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Send { parent: string | null; startedAt: number; endedAt: number }
interface TargetState { lastPoint: string | null; fullSends: number; bytesRaw: number; bytesWire: number; lastFullSend: Send | null }
interface AgentState { targets: Record<string, TargetState>; received: { newest: string | null; newestAt: number | null } }

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    json: { type: 'boolean', default: false },
    'size-mib': { type: 'string', default: '1024' },
    'steady-seconds': { type: 'string', default: '60' },
    'kill-points': { type: 'string', default: '100' },
  } });
  const say = (x: string) => (values.json ? process.stderr : process.stdout).write(`${x}\n`);
  const sizeMib = Number(values['size-mib']);
  const steadySeconds = Number(values['steady-seconds']);
  const killPoints = Number(values['kill-points']);
  let s: LabStatus = labStatus();
  if (!s.up) throw new Error('The lab is down; bring it up with: npm run lab -- up');
  const sh = (host: string, cmd: string) => {
    const r = inHost(s, host, cmd);
    if (r.code !== 0) throw new Error(`${host}: ${cmd.slice(0, 80)}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const state = (host: string) => JSON.parse(inHost(s, host, 'cat /var/lib/failguard/state.json 2>/dev/null').stdout || 'null') as AgentState | null;
  const key = s.hosts[0]!.keyFile;
  const job = parseJob(JSON.stringify({
    version: 1, id: '0d5e8f7a-6b4c-4d3e-9f2a-1b0c9d8e7f6a', name: 'Replication benchmark',
    source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key },
    targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key, options: { compression: 'fast' } }],
    hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
  }));
  resetProtection(s, ['mail1', 'mail2'], 'bench');
  try {
    say(`writing ${sizeMib} MiB of random data into mail1's protection set`);
    sh('mail1', `mkdir -p /srv/mail/bench && head -c ${sizeMib}M /dev/urandom > /srv/mail/bench/random.bin && sync`);
    const payload = Number(sh('mail1', 'du -sb /srv/mail | cut -f1').trim());
    if (lab('shape', 'mail1', '--rate', '100mbit').code !== 0) throw new Error('could not shape mail1');

    say('btrbk: snapshot + send/receive over SSH');
    const btrbkSeconds = benchBtrbk(s);
    const btrbkEfficiency = payload / btrbkSeconds / LINK_RATE_BYTES;
    say(`  ${(payload / 2 ** 20).toFixed(0)} MiB in ${btrbkSeconds.toFixed(1)} s: link efficiency ${btrbkEfficiency.toFixed(3)}`);

    say('Failguard: provisioning and initial sync');
    const benchData = mkdtempSync(join(tmpdir(), 'fg-bench-'));
    const r = await protect(job, 'now', { dataDir: benchData, keys: await jobKeysFor(benchData, job.id) });
    if (r.results.some((x) => x.outcome !== 'applied')) throw new Error(`provisioning failed: ${JSON.stringify(r.results)}`);
    let sync: Send;
    for (;;) {
      const t = state('mail1')?.targets.MAIL2;
      if (t?.fullSends === 1 && t.lastFullSend) { sync = t.lastFullSend; break; }
      if ((t?.fullSends ?? 0) > 1) throw new Error('the initial sync ran twice; its time cannot be told apart');
      await sleep(200);
    }
    const fgSeconds = (sync.endedAt - sync.startedAt) / 1000;
    const efficiency = payload / fgSeconds / LINK_RATE_BYTES;
    say(`  ${(payload / 2 ** 20).toFixed(0)} MiB in ${fgSeconds.toFixed(1)} s: link efficiency ${efficiency.toFixed(3)}`);
    sh('mail1', 'rm -f /srv/mail/bench/random.bin');

    say(`steady load for ${steadySeconds} s: mail through Postfix and fsynced appends, about 2 MB/s`);
    const rpo = await steadyLoad(s, steadySeconds, () => state('mail2'));
    const p = (q: number) => rpo.slice().sort((a, b) => a - b)[Math.min(rpo.length - 1, Math.floor(q * rpo.length))]!;
    say(`  RPO over ${rpo.length} samples: p50 ${p(0.5).toFixed(2)} s, p95 ${p(0.95).toFixed(2)} s, max ${Math.max(...rpo).toFixed(2)} s`);

    say('compressible mail text with zstd (fast)');
    const wire = await compressible(s, () => state('mail1')?.targets.MAIL2 ?? null, () => state('mail2'));
    say(`  ${(wire.raw / 2 ** 20).toFixed(1)} MiB sent as ${(wire.wire / 2 ** 20).toFixed(1)} MiB on the wire (ratio ${(wire.raw / wire.wire).toFixed(2)})`);

    lab('shape', 'mail1', '--clear');
    say(`write-order torture: ${killPoints} kill points`);
    const torture = await runTorture({ killPoints, seed: 20261130, log: (m) => say(`  ${m}`) });
    s = labStatus();
    say(`  ${torture.checkedPoints} points checked, ${torture.inconsistentPoints} inconsistent; faults ${JSON.stringify(torture.faults)}`);
    for (const f of torture.failures) say(`  ! ${f}`);

    process.stdout.write(`${JSON.stringify({
      link_efficiency: round(efficiency), btrbk_link_efficiency: round(btrbkEfficiency), rpo_p50_s: round(p(0.5)), rpo_p95_s: round(p(0.95)),
      inconsistent_points: torture.inconsistentPoints, kill_points: torture.killPoints, wire_bytes: wire.wire, wire_bytes_uncompressed: wire.raw,
    })}\n`);
  } finally {
    lab('shape', 'mail1', '--clear');
    lab('heal', 'mail1', 'mail2');
    s = labStatus();
    resetProtection(s, ['mail1', 'mail2'], 'bench');
    inHost(s, 'mail1', 'rm -rf /srv/mail/torture');
  }
}

const round = (x: number) => Number(x.toFixed(3));

/**
 * About 1 MB/s of mail (ten 100 kB messages a second) and 1 MB/s of fsynced appends; the RPO sampled every second.
 * `bounded` (for runs of an hour, which would fill the lab's 4 GB volumes): the journal is rotated at 256 MiB, as logs
 * are, and the steady messages are expunged once two minutes old, as mail is read and deleted; the data stays bounded.
 */
export async function steadyLoad(s: LabStatus, seconds: number, target: () => AgentState | null, o: { bounded?: boolean } = {}): Promise<number[]> {
  const mail1 = s.hosts.find((h) => h.name === 'mail1')!.address;
  const writer = inHost(s, 'mail1', `nohup python3 -c '
import os, time
path = "/srv/mail/bench/append.log"
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
end = time.time() + ${seconds}
while time.time() < end:
    os.write(fd, os.urandom(50000)); os.fsync(fd); time.sleep(0.05)
    if ${o.bounded ? 'True' : 'False'} and os.fstat(fd).st_size > (256 << 20):
        os.close(fd); os.replace(path, path + ".1"); fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
' >/dev/null 2>&1 & echo $!`).stdout.trim();
  // Mail read and deleted: the steady messages older than two minutes, once a minute.
  const expunger = o.bounded ? setInterval(() => inHost(s, 'mail1', 'doveadm expunge -A mailbox INBOX savedbefore 2mins header Subject steady >/dev/null 2>&1; true'), 60_000) : null;
  const line = 'The quarterly figures are attached; please review them before the meeting on Thursday.'.padEnd(76, '.');
  const body = Array.from({ length: 1300 }, () => line).join('\r\n');
  let sending = true;
  const mail = (async () => {
    for (let i = 0; sending; i++) {
      const t = Date.now();
      await Promise.all(Array.from({ length: 10 }, (_, j) => sendMail(mail1, 'bench@lab.test', `${s.mail.users[(i + j) % s.mail.users.length]}@${s.mail.domain}`, `steady ${i}.${j}`, body).catch(() => undefined)));
      await sleep(Math.max(0, 1000 - (Date.now() - t)));
    }
  })();
  const samples: number[] = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await sleep(1000);
    const newest = target()?.received.newest;
    const at = pointTime(newest);
    if (at !== null) samples.push((Date.now() - at) / 1000);
  }
  sending = false;
  await mail;
  if (expunger) clearInterval(expunger);
  inHost(s, 'mail1', `kill ${writer} 2>/dev/null; true`);
  if (samples.length === 0) throw new Error('the target received no point during the steady load');
  return samples;
}

/** Writes about 200 MiB of mail-like text and measures the bytes of the sends that carried it: raw stream and wire. */
async function compressible(s: LabStatus, source: () => TargetState | null, target: () => AgentState | null): Promise<{ raw: number; wire: number }> {
  await sleep(3000); // let the steady load's last points drain
  const before = source()!;
  inHost(s, 'mail1', `python3 -c '
import random
random.seed(7)
words = open("/usr/share/common-licenses/GPL-3").read().split()
with open("/srv/mail/bench/text.mbox", "w") as f:
    for i in range(200 * 1024):
        f.write("From: user%d@lab.test\\nSubject: report %d\\n\\n" % (i % 50, i))
        f.write(" ".join(random.choice(words) for _ in range(150)) + "\\n\\n")
' && sync`);
  const written = Date.now();
  for (;;) {
    const newest = target()?.received.newest;
    if ((pointTime(newest) ?? 0) > written + 1000) break;
    await sleep(500);
  }
  const after = source()!;
  return { raw: after.bytesRaw - before.bytesRaw, wire: after.bytesWire - before.bytesWire };
}
