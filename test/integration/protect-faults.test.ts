/**
 * Bad input and faults around provisioning and replication, on the lab: a host key that
 * changed since the job was saved, a target whose /srv is not btrfs, the app killed in the
 * middle of provisioning (finished while the link between the two is cut: the initial sync
 * stalls, and is alerted), an agent of another version already installed, and a full target
 * volume (alerted on both sides). Each gives one plain sentence, loses nothing, and leaves a state from
 * which `protect` continues.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { s, sh } from './preflight-helpers.ts';
import { agentEvents, lab, labStatus, resetProtection, until, newKeyFile } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'fg-faults-'));
const data = join(dir, 'data');
const env = { ...process.env, FAILGUARD_DATA_DIR: data };
/** Protecting keeps the job's keys in the encrypted store: the key file a person would give. */
const storeKey = newKeyFile();
const withKey = (args: string[]) => (args[0] === 'protect' && !args.includes('--secret-key-file') ? [...args, '--secret-key-file', storeKey] : args);
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/failguard.js', ...withKey(args)], { encoding: 'utf8', env, timeout: 300_000 });
const key = s.hosts[0]!.keyFile;
const pins = s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! }));
const job = {
  version: 1, id: '7b3e9d1c-2a4f-4c6e-8b0d-5f1a3c7e9b2d', name: 'Faults',
  source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key }, targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key }],
  witness: { name: 'witness', address: '198.18.0.13', sshKeyFile: key },
  // A high floor of free space, so the full-volume case below crosses it whatever margin the filler leaves; and the
  // shortest no-send and stalled-sync limits (a minute), so the cut link and the full volume below cross them.
  health: { minFreePercent: 30, noSendMinutes: 1, syncStallMinutes: 1 },
  hostKeys: pins,
};
const jobFile = join(dir, 'faults.job.json');
writeFileSync(jobFile, JSON.stringify(job, null, 2));
const installed = (h: string) => sh(h, 'test -e /opt/failguard/agentd && echo yes || echo no').trim() === 'yes';
const state = (h: string) => JSON.parse(sh(h, 'cat /var/lib/failguard/state.json 2>/dev/null') || 'null') as
  { pid: number; targets: Record<string, { fullSends: number; lastError: string | null; lastPoint: string | null }>; received: { count: number; newest: string | null } } | null;

afterAll(() => {
  sh('mail2', 'umount /srv/fg-tmpfs-over 2>/dev/null; rm -f /srv/fg-filler; true');
  lab('heal', 'mail1', 'mail2');
  resetProtection(labStatus(), ['mail1', 'mail2', 'witness'], 'fg-faults');
});

describe('faults around provisioning', () => {
  it('a host key that changed since the job was saved: one sentence, nothing sent', () => {
    const forged = join(dir, 'forged.job.json');
    const other = pins.find((p) => p.host === '198.18.0.11')!.fingerprint;
    writeFileSync(forged, JSON.stringify({ ...job, hostKeys: pins.map((p) => (p.host === '198.18.0.12' ? { ...p, fingerprint: other } : p)) }));
    const r = cli('protect', '--job', forged);
    expect(r.status).toBe(4);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^failguard: WARNING: the host key of MAIL2 has changed \(pinned SHA256:\S+, now SHA256:\S+\)\. .*; nothing was sent\. Check with the server's administrator/);
    expect(installed('mail1') || installed('mail2')).toBe(false);
  });

  it('a target whose /srv is not btrfs: the pre-flight refuses provisioning, nothing is installed', () => {
    sh('mail2', 'mount -t tmpfs -o size=64m tmpfs /srv');
    try {
      const r = cli('protect', '--job', jobFile, '--yes');
      expect(r.status).toBe(4);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^failguard: The pre-flight does not pass on the job's servers \(.*srv-is-btrfs on MAIL2.*\); run the pre-flight, fix what it finds, then protect again\.$/);
      expect(installed('mail1') || installed('mail2')).toBe(false);
    } finally {
      sh('mail2', 'umount /srv');
    }
    expect(sh('mail2', 'stat -f -c %T /srv').trim()).toBe('btrfs');
  });

  it('the app killed in the middle of provisioning: the next protect resumes the journaled run and finishes', async () => {
    const child = spawn(process.execPath, ['bin/failguard.js', ...withKey(['protect', '--job', jobFile, '--yes'])], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    let exited = false;
    child.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    child.once('exit', () => (exited = true));
    const journalDir = join(data, 'journal');
    const journal = await until('the first provisioning step to finish', () => {
      if (exited) throw new Error(`protect ended before its first step: ${said}`);
      const f = (() => { try { return readdirSync(journalDir).find((n) => n.endsWith('.jsonl')); } catch { return undefined; } })();
      return f && readFileSync(join(journalDir, f), 'utf8').includes('"t":"step-done"') ? join(journalDir, f) : null;
    }, 180_000);
    child.kill('SIGKILL');
    if (!exited) await new Promise((r) => child.once('exit', r));
    const cut = readFileSync(journal, 'utf8');
    expect(cut).not.toMatch(/"t":"end"/);
    expect(installed('mail1') && installed('mail2')).toBe(false);
    // The link between the two is cut once the pre-flight has passed and the run resumes: the initial sync cannot begin
    // (provisioning itself goes over SSH from here).
    const resumed = spawn(process.execPath, ['bin/failguard.js', ...withKey(['protect', '--job', jobFile, '--yes'])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let told = '';
    resumed.stdout!.on('data', (d: Buffer) => (told += d.toString()));
    resumed.stderr!.on('data', (d: Buffer) => (told += d.toString()));
    const again = new Promise<number | null>((r) => resumed.once('exit', r));
    await until('the run to resume', () => readFileSync(journal, 'utf8').includes('"t":"resumed"'), 180_000, 100);
    lab('cut', 'mail1', 'mail2');
    expect(await again, told).toBe(0);
    const records = readFileSync(journal, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { t: string }).t);
    expect(records).toContain('resumed');
    expect(records.at(-1)).toBe('end');
    expect(installed('mail1') && installed('mail2')).toBe(true);
    // A minute without progress (the job's syncStallMinutes): one critical alert from the source, with the last error.
    const stalled = await until('MAIL1\'s sync-stalled alert', () => agentEvents('mail1').find((e) => e.kind === 'alert' && e.event === 'sync-stalled'), 150_000, 1000);
    expect(stalled).toMatchObject({ severity: 'critical' });
    expect(stalled.kind === 'alert' && stalled.message).toMatch(/^The initial sync from MAIL1 to MAIL2 has moved nothing for 1 min: MAIL2 holds no point yet, so it could not take over\. The last error: \S/);
    expect(state('mail1')!.targets.MAIL2!.lastPoint).toBeNull();
    expect(state('mail2')!.received.count).toBe(0);
    lab('heal', 'mail1', 'mail2');
    await until('a point on MAIL2', () => (state('mail2')?.received.count ?? 0) > 0);
    await until('MAIL1\'s sync-progressing alert', () => agentEvents('mail1').find((e) => e.kind === 'alert' && e.event === 'sync-progressing' && e.at > stalled.at), 60_000, 500);
    expect(agentEvents('mail1').filter((e) => e.kind === 'alert' && e.event === 'sync-stalled')).toHaveLength(1);
  }, 600_000);

  it('an agent of another version already on MAIL2 is upgraded in place, keeping its points (no full send)', async () => {
    const before = await until('a few points on MAIL2', () => { const st = state('mail2'); return st && st.received.count >= 2 ? st : null; });
    const full = state('mail1')!.targets.MAIL2!.fullSends;
    sh('mail2', 'echo "// another build" >> /opt/failguard/agent.mjs');
    const shown = cli('protect', '--job', jobFile);
    expect(shown.status, shown.stderr).toBe(0);
    const steps = shown.stdout.split('\n').filter((l) => /^\s+\d+\. /.test(l));
    expect(steps.length).toBeGreaterThan(0);
    expect(shown.stdout).not.toMatch(/198\.18\.0\.11|MAIL1:/);
    const id = /--apply (sha256:[0-9a-f]{64})/.exec(shown.stdout)![1]!;
    const applied = cli('protect', '--job', jobFile, '--apply', id);
    expect(applied.status, applied.stdout + applied.stderr).toBe(0);
    const after = await until('the upgraded agent to receive again', () => { const st = state('mail2'); return st && st.pid !== before.pid && st.received.newest && st.received.newest !== before.received.newest ? st : null; });
    expect(after.received.count).toBeGreaterThanOrEqual(2);
    expect(state('mail1')!.targets.MAIL2!.fullSends).toBe(full);
    expect(cli('protect', '--job', jobFile).stdout).toMatch(/^Nothing to do/m);
  }, 300_000);

  it('a full target volume: status says so in one plain sentence; freeing space resumes with nothing lost', async () => {
    // Fill MAIL2's volume up to a small margin (btrfs's estimate of free space is not exact, so step back until it fits),
    // then send far more than the margin: space freed later (a failed partial point cleaned up) must not let it fit after all.
    // Empty chunks left by earlier churn (failovers, many points) are given back first, or the estimate is off by hundreds of MiB.
    const margin = Number(sh('mail2', 'btrfs balance start -dusage=0 -musage=0 /srv >/dev/null 2>&1; avail=$(df -B1 --output=avail /srv | tail -1); for m in 32 64 128 256 512 768 1024; do ' +
      'fallocate -l $((avail - m * 1048576)) /srv/fg-filler 2>/dev/null && { echo $m; break; }; done').trim());
    expect(margin).toBeGreaterThan(0);
    sh('mail1', `mkdir -p /srv/mail/fg-faults && head -c ${margin + 512}M /dev/urandom > /srv/mail/fg-faults/big && sync`);
    const sum = sh('mail1', 'sha256sum < /srv/mail/fg-faults/big').trim();
    const err = await until('the source to report the full target', () => state('mail1')?.targets.MAIL2?.lastError ?? null, 120_000);
    expect(err).toMatch(/volume of \/srv\/\.failguard\/received on MAIL2 is full; free space there or keep fewer points, and replication goes on by itself/);
    const status = cli('status', '--job', jobFile);
    expect(status.stdout).toMatch(/→ MAIL2 .*is full/);
    // Under the job's floor of free space: one critical alert from MAIL2, and status --check says critical, and why.
    const full = await until('MAIL2\'s volume-full alert', () => agentEvents('mail2').find((e) => e.kind === 'alert' && e.event === 'volume-full'), 60_000, 500);
    expect(full).toMatchObject({ severity: 'critical' });
    const check = cli('status', '--job', jobFile, '--check');
    expect(check.status, check.stdout).toBe(2);
    expect(check.stdout).toMatch(/^FAILGUARD CRITICAL - Faults: MAIL2: its volume of points has \d+\.\d% free \(critical under 30%\)/);
    // The points already there are whole.
    const held = state('mail2')!.received.newest!;
    expect(sh('mail2', `btrfs property get -ts /srv/.failguard/received/${held} ro`).trim()).toBe('ro=true');
    // A minute without a send that succeeds (the job's noSendMinutes): one warning from the source, with the last error.
    const quiet = await until('MAIL1\'s send-stalled alert', () => agentEvents('mail1').find((e) => e.kind === 'alert' && e.event === 'send-stalled'), 150_000, 1000);
    expect(quiet).toMatchObject({ severity: 'warning' });
    expect(quiet.kind === 'alert' && quiet.message).toMatch(/^No send from MAIL1 to MAIL2 has succeeded for \d+ min; MAIL2 falls behind\. The last error: .*is full/);
    sh('mail2', 'rm -f /srv/fg-filler; sync');
    const newest = await until('a point with the big file on MAIL2', () => {
      const n = state('mail2')?.received.newest;
      return n && n !== held && sh('mail2', `test -f /srv/.failguard/received/${n}/fg-faults/big && echo y`).trim() === 'y' ? n : null;
    }, 180_000);
    expect(sh('mail2', `sha256sum < /srv/.failguard/received/${newest}/fg-faults/big`).trim()).toBe(sum);
    await until('the error to clear', () => state('mail1')?.targets.MAIL2?.lastError === null, 30_000);
    await until('MAIL2\'s volume-ok alert', () => agentEvents('mail2').find((e) => e.kind === 'alert' && e.event === 'volume-ok' && e.at > full.at), 60_000, 500);
    expect(agentEvents('mail2').filter((e) => e.kind === 'alert' && e.event === 'volume-full')).toHaveLength(1);
    await until('MAIL1\'s send-resumed alert', () => agentEvents('mail1').find((e) => e.kind === 'alert' && e.event === 'send-resumed' && e.at > quiet.at), 60_000, 500);
    expect(agentEvents('mail1').filter((e) => e.kind === 'alert' && e.event === 'send-stalled')).toHaveLength(1);
  }, 600_000);
});
