/**
 * `npm run bench -- tripwire [--json] [--steady-seconds N] [--mailboxes N]` (an hour: --steady-seconds 3600): the ransomware
 * tripwire on the lab, MAIL1 → MAIL2 (points every second). First the replication bench's steady
 * load (ten 100 kB messages a second through Postfix, and 1 MB/s of fsynced random appends to one
 * journal) for N seconds (600 by default): every tripwire alert then is a false one. Then N
 * mailboxes (20) are filled and encrypted in place with openssl, and the time to the alert is
 * taken from the encryption's start. JSON: `{"encrypted_mailboxes","seconds_to_alert",
 * "false_alerts_per_hour","observed_s"}`; `false_alerts_per_hour` is the alerts seen during the
 * steady load scaled to an hour (observed_s says over how long). Goals: an alert within a minute,
 * 0 false alerts.
 */
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJob } from '../../electron/jobs/job-file.ts';
import { protect } from '../../electron/provision/service.ts';
import { agentEvents, inHost, jobKeysFor, labStatus, resetProtection, until } from '../integration/helpers.ts';
import { encryptMailboxes, fillMailboxes, usersNamed } from '../integration/mailbox-load.ts';
import { steadyLoad } from './replication.ts';
import type { AgentState } from '../../shared/agent-state.ts';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: {
    json: { type: 'boolean', default: false },
    'steady-seconds': { type: 'string', default: '600' },
    mailboxes: { type: 'string', default: '20' },
  } });
  const say = (x: string) => void (values.json ? process.stderr : process.stdout).write(`${x}\n`);
  const steadySeconds = Number(values['steady-seconds']);
  const users = usersNamed(Number(values.mailboxes));
  const s = labStatus();
  if (!s.up) throw new Error('The lab is down; bring it up with: npm run lab -- up');
  const sh = (host: string, cmd: string) => {
    const r = inHost(s, host, cmd);
    if (r.code !== 0) throw new Error(`${host}: ${cmd.slice(0, 80)}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const key = s.hosts[0]!.keyFile;
  const job = parseJob(JSON.stringify({
    version: 1, id: '5c4b3a29-1807-4f6e-9d5c-4b3a29180761', name: 'Tripwire benchmark',
    source: { name: 'MAIL1', address: '198.18.0.11', sshKeyFile: key }, targets: [{ name: 'MAIL2', address: '198.18.0.12', sshKeyFile: key }],
    hostKeys: s.hosts.filter((h) => h.hostKeyFingerprint).map((h) => ({ host: h.address, port: 22, algorithm: 'ssh-ed25519', fingerprint: h.hostKeyFingerprint! })),
  }));
  const tripwires = (since: number) => agentEvents('mail2').filter((e) => e.kind === 'alert' && e.event === 'tripwire' && e.at >= since);
  const tripwireState = () => (JSON.parse(inHost(s, 'mail2', 'cat /var/lib/failguard/state.json').stdout || '{}') as { tripwire?: { state: string } }).tripwire?.state ?? 'none';
  resetProtection(s, ['mail1', 'mail2'], 'bench');
  try {
    sh('mail1', 'mkdir -p /srv/mail/bench');
    const dataDir = mkdtempSync(join(tmpdir(), 'fg-tripwire-bench-'));
    const r = await protect(job, 'now', { dataDir, keys: await jobKeysFor(dataDir, job.id) });
    if (!r.results.every((x) => x.outcome === 'applied')) throw new Error(`protect: ${r.results.map((x) => x.error).join('; ')}`);
    const tag = `bench-${Date.now()}`;
    say(`filling ${users.length} mailboxes (three messages of about 54 kB each)`);
    await fillMailboxes(sh, users, tag);

    say(`steady load for ${steadySeconds} s: ten 100 kB messages a second, and 1 MB/s of random appends to one journal`);
    const steadyFrom = Date.now();
    // Bounded: an hour of it would otherwise fill the lab's volumes (the journal rotates, old mail is expunged).
    await steadyLoad(s, steadySeconds, () => JSON.parse(inHost(s, 'mail2', 'cat /var/lib/failguard/state.json 2>/dev/null').stdout || 'null') as AgentState | null, { bounded: steadySeconds > 600 });
    const observedS = (Date.now() - steadyFrom) / 1000;
    const falseAlerts = tripwires(steadyFrom).length;
    say(`  ${falseAlerts} tripwire alert(s) in ${observedS.toFixed(0)} s; the tripwire is ${tripwireState()}`);

    await new Promise((x) => setTimeout(x, 3000));
    say(`encrypting ${users.length} mailboxes in place with openssl`);
    const encryptedAt = Date.now();
    encryptMailboxes(sh, users);
    const fired = await until('the tripwire alert', () => tripwires(encryptedAt)[0], 180_000, 250);
    const secondsToAlert = (fired.at - encryptedAt) / 1000;
    say(`  alert after ${secondsToAlert.toFixed(1)} s: ${fired.message}`);
    process.stdout.write(`${JSON.stringify({ encrypted_mailboxes: users.length, seconds_to_alert: Number(secondsToAlert.toFixed(1)), false_alerts_per_hour: Number((falseAlerts * 3600 / observedS).toFixed(2)), observed_s: Math.round(observedS) })}\n`);
  } finally {
    resetProtection(s, ['mail1', 'mail2'], 'bench');
    inHost(s, 'mail1', `rm -rf /srv/mail/bench ${users.map((u) => `/srv/mail/vmail/lab.test/${u}/Maildir/new/bench-*`).join(' ')}`);
  }
}
