/**
 * `npm run bench -- replication [--json] [--runs 3] [--interval 1]`: mail1 → mail2 on the lab,
 * mail1's link shaped to 100 Mbit/s. In one run:
 *  1. The race (race.ts): the protection set with at least 1 GiB of incompressible data sent
 *     uncompressed by a raw `btrfs send` into one TCP connection (the physical anchor), by btrbk
 *     (Debian's package, over SSH) and by Failguard's initial sync, each timed from outside from
 *     its send's start to its receive's end; `--runs` rounds, the order alternating. Link
 *     efficiency = payload bytes per second / link rate.
 *  2. A steady load (about 2 MB/s of mail through Postfix and appends) for a minute at the
 *     job's `--interval`; the RPO (age of the newest point on the target) sampled every 0.25 s,
 *     and the CPU both agents used meanwhile (their send and receive processes included).
 *  3. Compressible mail text with zstd: bytes on the wire against bytes sent.
 *  4. The full write-order torture run (100 kill points).
 * Goals: Failguard ≥ 0.97 of raw and ≥ btrbk in every round; RPO p95 < 2 s (≤ 0.5 s at
 * --interval 0.25); 0 inconsistent points; wire bytes well under uncompressed.
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
import { btrbkTransfer, rawTransfer, summary, timedTransfer, type Contender } from './race.ts';

const LINK_RATE_BYTES = 100e6 / 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Send { parent: string | null; startedAt: number; endedAt: number }
interface TargetState { lastPoint: string | null; fullSends: number; bytesRaw: number; bytesWire: number; lastFullSend: Send | null }
interface AgentState { pid: number; targets: Record<string, TargetState>; received: { newest: string | null; newestAt: number | null } }

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    json: { type: 'boolean', default: false },
    'size-mib': { type: 'string', default: '1024' },
    'steady-seconds': { type: 'string', default: '60' },
    'kill-points': { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
    interval: { type: 'string', default: '1' },
  } });
  const say = (x: string) => (values.json ? process.stderr : process.stdout).write(`${x}\n`);
  const sizeMib = Number(values['size-mib']);
  const steadySeconds = Number(values['steady-seconds']);
  const killPoints = Number(values['kill-points']);
  const rounds = Number(values.runs);
  const interval = Number(values.interval);
  // --runs 0 skips the race and --kill-points 0 the torture run (an RPO measure alone, at another interval).
  if (!(rounds >= 0) || !(killPoints >= 0) || !(interval >= 0.25)) throw new Error('--runs and --kill-points take a count (0 skips that part), --interval seconds of at least 0.25');
  let s: LabStatus = labStatus();
  if (!s.up) throw new Error('The lab is down; bring it up with: npm run lab -- up');
  const sh = (host: string, cmd: string) => {
    const r = inHost(s, host, cmd);
    if (r.code !== 0) throw new Error(`${host}: ${cmd.slice(0, 80)}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const state = (host: string) => JSON.parse(inHost(s, host, 'cat /var/lib/failguard/state.json 2>/dev/null').stdout || 'null') as AgentState | null;
  const key = s.hosts[0]!.keyFile;
  const jobOf = (id: string, options: Record<string, unknown>) => parseJob(JSON.stringify({
    version: 1, id, name: 'Replication benchmark',
    source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key },
    targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key, options }],
    hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
  }));
  // The race sends as the others do, uncompressed; the steady load and the mail text run with zstd at the chosen interval.
  const raceJob = jobOf('0d5e8f7a-6b4c-4d3e-9f2a-1b0c9d8e7f6b', { compression: 'off' });
  const job = jobOf('0d5e8f7a-6b4c-4d3e-9f2a-1b0c9d8e7f6a', { compression: 'fast', intervalSeconds: interval });
  const benchData = mkdtempSync(join(tmpdir(), 'fg-bench-'));
  const protectJob = async (j: typeof job) => {
    const r = await protect(j, 'now', { dataDir: benchData, keys: await jobKeysFor(benchData, j.id) });
    if (r.results.some((x) => x.outcome !== 'applied')) throw new Error(`provisioning failed: ${JSON.stringify(r.results)}`);
  };
  resetProtection(s, ['mail1', 'mail2'], 'bench');
  try {
    say(`writing ${sizeMib} MiB of random data into mail1's protection set`);
    sh('mail1', `mkdir -p /srv/mail/bench && head -c ${sizeMib}M /dev/urandom > /srv/mail/bench/random.bin && sync`);
    const payload = Number(sh('mail1', 'du -sb /srv/mail | cut -f1').trim());
    if (lab('shape', 'mail1', '--rate', '100mbit').code !== 0) throw new Error('could not shape mail1');

    const efficiencyOf = (seconds: number) => round(payload / seconds / LINK_RATE_BYTES);
    const failguardTransfer = async () => {
      // Complete once the source has recorded the full send (its end comes with the target's answer).
      const doneAt = () => { const f = state('mail1')?.targets.MAIL2?.lastFullSend; return f ? f.endedAt / 1000 : null; };
      const seconds = await timedTransfer(s, () => protectJob(raceJob), 1800, doneAt);
      // Both agents' records of the round kept before the clean-up wipes them: a slow or repeated send must be explainable.
      for (const h of ['mail1', 'mail2']) say(`  ${h}'s records: ${inHost(s, h, 'cat /var/lib/failguard/events.jsonl 2>/dev/null').stdout.trim().split('\n').map((l) => l.slice(0, 240)).join('\n    ')}`);
      // Stopped at once: its next points would share the link with the next contender.
      resetProtection(s, ['mail1', 'mail2'], 'fg-race-nothing');
      return seconds;
    };
    const runs: Array<{ order: Contender[] } & Record<Contender, number>> = [];
    for (let i = 0; i < rounds; i++) {
      const order: Contender[] = i % 2 === 0 ? ['raw', 'btrbk', 'failguard'] : ['failguard', 'btrbk', 'raw'];
      const run = { order } as { order: Contender[] } & Record<Contender, number>;
      for (const c of order) {
        const seconds = c === 'raw' ? await rawTransfer(s) : c === 'btrbk' ? (await btrbkTransfer(s)).seconds : await failguardTransfer();
        run[c] = efficiencyOf(seconds);
        say(`  round ${i + 1}, ${c}: ${(payload / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(2)} s, link efficiency ${run[c].toFixed(3)}`);
      }
      runs.push(run);
    }
    const eff = (c: Contender) => (runs.length ? summary(runs.map((r) => r[c])) : { median: null, spread: null });
    const ofRaw = runs.length ? summary(runs.map((r) => r.failguard / r.raw)).median : null;
    if (runs.length) say(`  medians: raw ${eff('raw').median}, btrbk ${eff('btrbk').median}, Failguard ${eff('failguard').median} (${ofRaw!.toFixed(3)} of raw; ahead of btrbk in ${runs.filter((r) => r.failguard >= r.btrbk).length} of ${runs.length} rounds)`);
    sh('mail1', 'rm -f /srv/mail/bench/random.bin');
    say(`Failguard at ${interval} s between points (zstd): provisioning and initial sync`);
    await protectJob(job);
    for (let i = 0; i < 600 && !state('mail2')?.received.newest; i++) await sleep(500);

    say(`steady load for ${steadySeconds} s: mail through Postfix and fsynced appends, about 2 MB/s`);
    const cpu = agentCpu(s, [state('mail1')!.pid, state('mail2')!.pid]);
    const rpo = await steadyLoad(s, steadySeconds, () => state('mail2'), { sampleMs: 250 });
    const [sourceCpu, targetCpu] = cpu();
    say(`  CPU of the agents (send and receive included): MAIL1 ${sourceCpu}%, MAIL2 ${targetCpu}% of one core`);
    const p = (q: number) => rpo.slice().sort((a, b) => a - b)[Math.min(rpo.length - 1, Math.floor(q * rpo.length))]!;
    say(`  RPO over ${rpo.length} samples: p50 ${p(0.5).toFixed(2)} s, p95 ${p(0.95).toFixed(2)} s, max ${Math.max(...rpo).toFixed(2)} s`);

    say('compressible mail text with zstd (fast)');
    const wire = await compressible(s, () => state('mail1')?.targets.MAIL2 ?? null, () => state('mail2'));
    say(`  ${(wire.raw / 2 ** 20).toFixed(1)} MiB sent as ${(wire.wire / 2 ** 20).toFixed(1)} MiB on the wire (ratio ${(wire.raw / wire.wire).toFixed(2)})`);

    lab('shape', 'mail1', '--clear');
    const torture = killPoints ? await (async () => {
      say(`write-order torture: ${killPoints} kill points`);
      const t = await runTorture({ killPoints, seed: 20261130, log: (m) => say(`  ${m}`) });
      s = labStatus();
      say(`  ${t.checkedPoints} points checked, ${t.inconsistentPoints} inconsistent; faults ${JSON.stringify(t.faults)}`);
      for (const f of t.failures) say(`  ! ${f}`);
      return t;
    })() : { inconsistentPoints: null, killPoints: 0 };

    process.stdout.write(`${JSON.stringify({
      link_efficiency: eff('failguard').median, btrbk_link_efficiency: eff('btrbk').median, raw_link_efficiency: eff('raw').median, failguard_of_raw: ofRaw === null ? null : round(ofRaw),
      runs, spread: runs.length ? { failguard: round(eff('failguard').spread!), btrbk: round(eff('btrbk').spread!), raw: round(eff('raw').spread!) } : null,
      interval_s: interval, rpo_p50_s: round(p(0.5)), rpo_p95_s: round(p(0.95)), agent_cpu_percent: { source: sourceCpu, target: targetCpu },
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

/** The CPU a process on a lab host has used since it started, in seconds: its own (all its threads), and its waited-for children's. */
export function processCpuSeconds(s: LabStatus, host: string, pid: number): { own: number; children: number } {
  const f = inHost(s, host, `cat /proc/${Number(pid)}/stat; getconf CLK_TCK`).stdout.trim().split('\n');
  // After the command's name (which may hold spaces and parentheses): utime, stime, cutime, cstime are fields 14–17, in clock ticks.
  const v = f[0]!.slice(f[0]!.lastIndexOf(')') + 2).split(' ').map(Number);
  const hz = Number(f[1]) || 100;
  return { own: (v[11]! + v[12]!) / hz, children: (v[13]! + v[14]!) / hz };
}

/** The CPU the given processes and their waited-for children used from now to the call of the returned function, in % of one core. */
function agentCpu(s: LabStatus, pids: [number, number]): () => [number, number] {
  const seconds = () => pids.map((pid, i) => { const c = processCpuSeconds(s, i === 0 ? 'mail1' : 'mail2', pid); return c.own + c.children; });
  const t0 = Date.now();
  const before = seconds();
  return () => {
    const after = seconds();
    const secs = (Date.now() - t0) / 1000;
    return after.map((a, i) => Number(((a - before[i]!) / secs * 100).toFixed(1))) as [number, number];
  };
}

/**
 * About 1 MB/s of mail (ten 100 kB messages a second) and 1 MB/s of fsynced appends; the RPO sampled every second.
 * `bounded` (for runs of an hour, which would fill the lab's 4 GB volumes): the journal is rotated at 256 MiB, as logs
 * are, and the steady messages are expunged once two minutes old, as mail is read and deleted; the data stays bounded.
 */
export async function steadyLoad(s: LabStatus, seconds: number, target: () => AgentState | null, o: { bounded?: boolean; sampleMs?: number } = {}): Promise<number[]> {
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
    await sleep(o.sampleMs ?? 1000);
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
