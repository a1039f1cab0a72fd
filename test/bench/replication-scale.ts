/**
 * `npm run bench -- replication-scale [--json] [--messages 1000000] [--users 2000] [--rounds 2] [--steady-seconds 60]`:
 * the mail store of a real server is many small files. MAIL1 gets a Maildir store of
 * `--messages` messages of about 4 KiB across `--users` users (`npm run lab -- scale-store`,
 * built first, not timed); then, timed from outside as in the replication race (race.ts: a
 * send's start to its receive's end), `--rounds` rounds of a raw `btrfs send` of the whole protection set into one
 * TCP connection and of Failguard's initial sync of it, in ABBA order, both uncompressed on the lab's unshaped
 * link, from cold page caches and once btrfs has cleaned what the round before deleted; medians compared; then a minute of the replication bench's steady load with the store in place, the RPO
 * sampled every 0.25 s. The store and everything replicated are removed after.
 * Goals: the initial sync completes, within 1.1× of raw; RPO p95 ≤ 2 s.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { protect } from '../../electron/provision/service.ts';
import { inHost, jobKeysFor, labStatus, resetProtection, until } from '../integration/helpers.ts';
import { lab } from './lab.ts';
import { rawTransfer, summary, timedTransfer } from './race.ts';
import { processCpuSeconds, steadyLoad } from './replication.ts';

const round = (x: number) => Number(x.toFixed(2));

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    json: { type: 'boolean', default: false },
    messages: { type: 'string', default: '1000000' },
    users: { type: 'string', default: '2000' },
    'steady-seconds': { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
  } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a whole number of rounds, 1 or more (not "${values.rounds}")`);
  const say = (x: string) => void (values.json ? process.stderr : process.stdout).write(`${x}\n`);
  const s = labStatus();
  if (!s.up) throw new Error('The lab is down; bring it up with: npm run lab -- up');
  const key = s.hosts[0]!.keyFile;
  const job = parseJob(JSON.stringify({
    version: 1, id: '5c4b3a29-1807-4f6e-9d5c-4b3a29180706', name: 'Replication at scale',
    source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key },
    targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key, options: { compression: 'off' } }],
    hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
  }));
  const state = (host: string) => JSON.parse(inHost(s, host, 'cat /var/lib/failguard/state.json 2>/dev/null').stdout || 'null') as
    { received: { newest: string | null; newestAt: number | null }; targets: Record<string, { lastPoint: string | null; fullSends: number; lastError: string | null }> } | null;
  resetProtection(s, ['mail1', 'mail2'], 'bench');
  try {
    say(`building MAIL1's store: ${values.messages} messages across ${values.users} users (not timed)…`);
    say(lab('scale-store', '--messages', String(values.messages), '--users', String(values.users)).trim());
    const [files, bytes] = inHost(s, 'mail1', 'find /srv/mail -type f | wc -l; du -sb /srv/mail | cut -f1').stdout.trim().split('\n').map(Number) as [number, number];
    say(`the protection set: ${files} files, ${(bytes / 2 ** 30).toFixed(2)} GiB`);

    // Both start from cold caches (the first to read a million files would otherwise pay for the second), and on a quiet
    // volume: a deleted subvolume of a million files is cleaned in the background for minutes, and the transfer after it
    // would share the disk and the CPU with that (`subvolume sync` waits for the cleaning to end).
    const cold = () => {
      const t0 = performance.now();
      for (const h of ['mail1', 'mail2']) inHost(s, h, 'btrfs subvolume sync /srv >/dev/null; sync; echo 3 > /proc/sys/vm/drop_caches');
      say(`  (volumes quiet and caches dropped in ${((performance.now() - t0) / 1000).toFixed(1)} s, not timed)`);
    };
    const cpus: Array<Record<string, number>> = [];
    const agentCpu = (host: string, side: 'source' | 'target') => {
      const cpu = processCpuSeconds(s, host, Number((state(host) as { pid?: number } | null)?.pid));
      return { [`${side}_agent`]: round(cpu.own), [`${side}_commands`]: round(cpu.children) };
    };
    const raws: number[] = [];
    const initials: number[] = [];
    let fullSends = 0;
    let protecting = false;
    const rawRound = async () => {
      if (protecting) { resetProtection(s, ['mail1', 'mail2'], 'bench'); protecting = false; }
      say('raw btrfs send | receive over one TCP connection…');
      cold();
      raws.push(await rawTransfer(s));
      say(`  ${raws.at(-1)!.toFixed(1)} s`);
    };
    const failguardRound = async () => {
      if (protecting) resetProtection(s, ['mail1', 'mail2'], 'bench');
      say('Failguard: provisioning, then its initial sync…');
      const data = mkdtempSync(join(tmpdir(), 'fg-scale-'));
      cold();
      protecting = true;
      const initial = await timedTransfer(s, async () => {
        const r = await protect(job, 'now', { dataDir: data, keys: await jobKeysFor(data, job.id) });
        if (r.results.some((x) => x.outcome !== 'applied')) throw new Error(`provisioning failed: ${JSON.stringify(r.results)}`);
      }, 7200, () => { const f = (state('mail1')?.targets.MAIL2 as { lastFullSend?: { endedAt: number } | null } | undefined)?.lastFullSend; return f ? f.endedAt / 1000 : null; });
      // The source records the point once the target's answer is in: a moment after the receive ends.
      const t = await until('MAIL1 to record the initial sync', () => { const x = state('mail1')?.targets.MAIL2; return x?.lastPoint ? x : null; }, 120_000, 500)
        .catch(() => { throw new Error(`the initial sync did not complete a point (${state('mail1')?.targets.MAIL2?.lastError ?? 'no error reported'})`); });
      initials.push(initial);
      fullSends = Math.max(fullSends, t.fullSends);
      // Where the CPU went: each agent's own (all its threads) and its commands' (btrfs send or receive, reaped), since it started at provisioning.
      const used = agentCpu('mail1', 'source');
      const usedTarget = agentCpu('mail2', 'target');
      cpus.push({ ...used, ...usedTarget });
      say(`  ${initial.toFixed(1)} s; ${t.fullSends} full send(s); CPU: MAIL1's agent ${used.source_agent} s, its commands ${used.source_commands} s; MAIL2's agent ${usedTarget.target_agent} s, its commands ${usedTarget.target_commands} s`);
    };
    // Rounds in ABBA order (… raw, Failguard, Failguard, raw …, Failguard last): a drift over the run (the disk, the host)
    // weighs on both alike, and the last round's protection stays for the steady load.
    for (let i = 0; i < rounds; i++) {
      const failguardFirst = i % 2 === (rounds % 2 === 0 ? 0 : 1);
      for (const transfer of failguardFirst ? [failguardRound, rawRound] : [rawRound, failguardRound]) await transfer();
    }
    const raw = summary(raws);
    const initial = summary(initials);
    say(`  Failguard ${initials.map((x) => x.toFixed(1)).join(', ')} s; raw ${raws.map((x) => x.toFixed(1)).join(', ')} s: medians ${(initial.median / raw.median).toFixed(2)}× raw`);

    say(`steady load for ${values['steady-seconds']} s with the store in place…`);
    const rpo = await steadyLoad(s, Number(values['steady-seconds']), () => state('mail2') as never, { sampleMs: 250 });
    const p = (q: number) => rpo.slice().sort((a, b) => a - b)[Math.min(rpo.length - 1, Math.floor(q * rpo.length))]!;
    say(`  RPO over ${rpo.length} samples: p50 ${p(0.5).toFixed(2)} s, p95 ${p(0.95).toFixed(2)} s, max ${Math.max(...rpo).toFixed(2)} s`);
    process.stdout.write(`${JSON.stringify({ files, bytes, initial_sync_s: round(initial.median), raw_sync_s: round(raw.median), ratio: round(initial.median / raw.median), full_sends: fullSends,
      runs: { failguard: initials.map(round), raw: raws.map(round) }, spread: { failguard: round(initial.spread), raw: round(raw.spread) }, cpu_s: cpus, rpo_p50_s: round(p(0.5)), rpo_p95_s: round(p(0.95)) })}\n`);
  } finally {
    resetProtection(labStatus(), ['mail1', 'mail2'], 'bench');
    if (!values.keep) lab('scale-store', '--remove');
  }
}
