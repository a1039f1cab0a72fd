/**
 * `npm run bench -- failover [--json] [--no-matrix] [--timeout S]`: the end-to-end scenario, timed, on the lab,
 * with the standard monitor constants. MAIL1 → MAIL2 in automatic mode (timeout 10 s, the least; or S) with the
 * witness; mail sent to MAIL1 five times a second; MAIL1 killed. RTO ends when MAIL2 accepts mail
 * (RCPT TO 250) and answers IMAP with the data. Every message MAIL1 accepted is looked for on
 * MAIL2: `lost_replicated` counts those that were in a point MAIL2 held when MAIL1 died,
 * `lost_unreplicated` the rest. Then the partition matrix (every no-failover case, and MAIL1 cut
 * off from both), and the fault cases with two standbys (fault-cases.ts: the source killed, its
 * agent stopped, its host frozen, a crash loop, a heal at the grant, the old source rebooted, the
 * witness restarted), acceptance probed on every mail server in rounds started every 200 ms (`accept_probe`);
 * `split_brain_moments` counts probes where two servers accepted.
 * Goals: RTO under 10 s after the timeout (the seed: under 20 minutes), `lost_replicated` 0,
 * `split_brain_moments` 0 over at least 16 cases.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { protect } from '../../electron/provision/service.ts';
import { imapFetchBySubject, inHost, jobKeysFor, lab, labStatus, sendMail } from '../integration/helpers.ts';
import { putLabBack } from '../integration/failover-helpers.ts';
import { ACCEPT_PROBE, MAIL1, MAIL2, monitorOf, NO_FAILOVER_CASES, probed, runNoFailoverCase, accepting, ST, SW } from '../integration/partition.ts';
import { FAULT_CASES, undoFailover } from '../integration/fault-cases.ts';
import { timingOf, timingProblem } from '../../agent/src/monitor/rules.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, 'no-matrix': { type: 'boolean', default: false }, timeout: { type: 'string', default: '10' } } });
  const TIMEOUT_S = Number(values.timeout);
  const problem = Number.isInteger(TIMEOUT_S) ? timingProblem(timingOf({ profile: 'standard', timeoutSeconds: TIMEOUT_S })) : 'it is not a whole number of seconds';
  if (problem) throw new Error(`--timeout ${values.timeout}: ${problem}`);
  const say = (x: string) => void (values.json ? process.stderr : process.stdout).write(`${x}\n`);
  const s = labStatus();
  if (!s.up) throw new Error('The lab is down; bring it up with: npm run lab -- up');
  const key = s.hosts[0]!.keyFile;
  const password = readFileSync(s.directory.passwordFile, 'utf8').trim();
  const imapPassword = readFileSync(s.mail.passwordFile, 'utf8').trim();
  const directory = { target: { kind: 'url' as const, url: 'ldaps://dc1.lab.test', dnsServer: s.directory.dnsServer }, credentials: { username: s.directory.bindDn, password }, trust: { caPem: readFileSync(s.directory.caFile, 'utf8') } };
  const job = parseJob(JSON.stringify({
    version: 1, id: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d', name: 'Failover bench',
    source: { name: 'MAIL1', address: MAIL1, sshKeyFile: key }, targets: [{ name: 'MAIL2', address: MAIL2, sshKeyFile: key }],
    witness: { name: 'witness', address: '198.18.0.13', sshKeyFile: key },
    failover: { mode: 'automatic', timeoutSeconds: TIMEOUT_S, dns: [{ zone: 'lab.test', name: 'mail' }] },
    hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
  }));
  const dataDir = mkdtempSync(join(tmpdir(), 'fg-failover-bench-'));
  const keys = await jobKeysFor(dataDir, job.id);
  const protectNow = async () => {
    const r = await protect(job, 'now', { dataDir, directory, keys });
    if (!r.results.every((x) => x.outcome === 'applied')) throw new Error(`protect: ${r.results.map((x) => x.error).join('; ')}`);
    for (let i = 0; i < 120 && !(monitorOf('mail2')?.state === 'healthy' && monitorOf('mail1')?.fence === 'serving' && await accepting(MAIL1)); i++) await sleep(500);
  };
  const newestOnMail2 = () => (JSON.parse(inHost(labStatus(), 'mail2', 'cat /var/lib/failguard/state.json').stdout || '{}') as { received?: { newestAt: number | null } }).received?.newestAt ?? 0;
  try {
    await putLabBack('fg-bench');
    say(`protecting MAIL1 → MAIL2 (automatic, timeout ${TIMEOUT_S} s)…`);
    await protectNow();
    // Mail to MAIL1 five times a second for 20 s, then MAIL1 dies mid-flow.
    const tag = `rto-${Date.now()}`;
    const accepted: Array<{ subject: string; at: number }> = [];
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const subject = `${tag} ${i}`;
        try {
          await sendMail(MAIL1, 'bench@lab.test', 'user000005@lab.test', subject, `message ${i}`);
          accepted.push({ subject, at: Date.now() });
        } catch { /* MAIL1 is gone */ }
        await sleep(200);
      }
    })();
    await sleep(20_000);
    const newestBefore = newestOnMail2();
    const killedAt = Date.now();
    lab('kill', 'mail1');
    sending = false;
    await sender;
    say(`MAIL1 killed after accepting ${accepted.length} messages; waiting for MAIL2 to take over…`);
    let rto = 0;
    const failover = await probed(async () => {
      for (;;) {
        if (await accepting(MAIL2)) {
          const got = await imapFetchBySubject(MAIL2, 'user000005@lab.test', imapPassword, `${tag} 0`).catch(() => []);
          if (got.length) { rto = (Date.now() - killedAt) / 1000; break; }
        }
        if (Date.now() - killedAt > 300_000) throw new Error(`MAIL2 did not take over within 5 minutes (${JSON.stringify(monitorOf('mail2'))})`);
        await sleep(250);
      }
    });
    // Which messages reached MAIL2: one IMAP search for the whole tag.
    const there = (await imapFetchBySubject(MAIL2, 'user000005@lab.test', imapPassword, tag)).map((m) => /Subject: (\S+ \d+)/.exec(m)?.[1]).filter(Boolean);
    const found = new Set(there);
    // Delivered to the maildir within about a second of the 250; a point taken after that holds it.
    const replicated = accepted.filter((m) => m.at + 1000 < newestBefore);
    const lostReplicated = replicated.filter((m) => !found.has(m.subject)).length;
    const lostUnreplicated = accepted.filter((m) => m.at + 1000 >= newestBefore && !found.has(m.subject)).length;
    say(`RTO ${rto.toFixed(1)} s after the kill (${(rto - TIMEOUT_S).toFixed(1)} s after the ${TIMEOUT_S} s timeout); ${replicated.length} of ${accepted.length} messages were in a replicated point: lost ${lostReplicated}; lost of the rest: ${lostUnreplicated}`);
    let cases = 1;
    let both = failover.both;
    let twoStandbys: Record<string, unknown> | null = null;
    if (!values['no-matrix']) {
      await putLabBack('fg-bench');
      await protectNow();
      for (const c of NO_FAILOVER_CASES) {
        const r = await runNoFailoverCase(c, 31_000);
        cases++;
        both += r.probed.both;
        say(`  ${c.name}: ${r.probed.rounds} probes, MAIL1 answered ${r.probed.mail1}, MAIL2 ${r.probed.mail2}, both ${r.probed.both}`);
        for (let i = 0; i < 120 && !(monitorOf('mail2')?.state === 'healthy' && monitorOf('mail1')?.fence === 'serving'); i++) await sleep(500);
      }
      const iso = await probed(async () => {
        lab('cut', ...ST);
        lab('cut', ...SW);
        for (let i = 0; i < 240 && monitorOf('mail2')?.state !== 'failed-over'; i++) await sleep(500);
        await sleep(5000);
      });
      cases++;
      both += iso.both;
      say(`  MAIL1 cut off from both: ${iso.rounds} probes, MAIL1 answered ${iso.mail1}, MAIL2 ${iso.mail2}, both ${iso.both}`);
      // The same job with two standbys, each fault from a fresh protection.
      const two = parseJob(JSON.stringify({ ...JSON.parse(JSON.stringify(job)), id: '8b7c6d5e-4f3a-4b2c-8d1e-0f9a8b7c6d5e', name: 'Failover bench, two standbys',
        targets: [...job.targets, { name: 'MAIL3', address: '198.18.0.14', sshKeyFile: key }] }));
      let first = true;
      const fresh = async () => {
        if (first) await putLabBack('fg-bench');
        else undoFailover();
        first = false;
        const r = await protect(two, 'now', { dataDir, directory, keys: await jobKeysFor(dataDir, two.id) });
        if (!r.results.every((x) => x.outcome === 'applied')) throw new Error(`protect: ${r.results.map((x) => x.error).join('; ')}`);
        for (let i = 0; i < 120 && !(monitorOf('mail1')?.fence === 'serving' && monitorOf('mail2')?.state === 'healthy' && monitorOf('mail3')?.state === 'healthy' && await accepting(MAIL1)); i++) await sleep(500);
      };
      const runs = [];
      for (const c of FAULT_CASES) runs.push(...await c.run({ timing: timingOf({ profile: 'standard', timeoutSeconds: TIMEOUT_S }), fresh, say }));
      for (const r of runs) {
        cases++;
        both += r.probed.both;
        say(`  ${r.name.startsWith('two standbys') ? '' : 'two standbys, '}${r.name}: ${r.probed.rounds} probes, accepted ${JSON.stringify(r.probed.accepted)}, two at once ${r.probed.both}; took over: ${r.failedOver.join(', ') || 'none'}${r.takeoverS === null ? '' : ` after ${r.takeoverS} s`}`);
      }
      twoStandbys = { standbys: 2, cases: runs.length, split_brain_moments: runs.reduce((a, r) => a + r.probed.both, 0), took_over: runs.map((r) => r.failedOver), takeover_s: runs.map((r) => r.takeoverS) };
      say(`two standbys: ${JSON.stringify(twoStandbys)}`);
    }
    say(`partition cases: ${cases}; moments both accepted mail: ${both}`);
    process.stdout.write(`${JSON.stringify({ timeout_s: TIMEOUT_S, rto_after_timeout_s: Number((rto - TIMEOUT_S).toFixed(1)), rto_total_s: Number(rto.toFixed(1)), lost_replicated: lostReplicated, lost_unreplicated: lostUnreplicated, partition_cases: cases, split_brain_moments: both, standbys: twoStandbys ? 2 : 1, accept_probe: ACCEPT_PROBE })}\n`);
  } finally {
    await putLabBack('fg-bench');
  }
}
