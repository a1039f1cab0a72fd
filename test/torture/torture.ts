/**
 * The write-order torture run (the integration test runs a short form, the replication
 * benchmark the full one): a writer on mail1 appends records to two files of the
 * protection set while mail flows through Postfix into Dovecot; at random moments the
 * source agent, the target agent, the link, the target host or the source host is killed;
 * after each, replication must resume, and every point received since is checked: both
 * files a prefix of the writer's history, the second never ahead of the first, and Dovecot
 * opening every mailbox of the newest point.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inHost, lab, labStatus, sendMail, type LabStatus } from '../integration/helpers.ts';
import { rng } from '../lab/org.ts';

export type FaultKind = 'source-agent' | 'target-agent' | 'link' | 'target-host' | 'source-host';
export const FAULTS: readonly FaultKind[] = ['source-agent', 'target-agent', 'link', 'target-host', 'source-host'];

export interface TortureResult { killPoints: number; checkedPoints: number; inconsistentPoints: number; failures: string[]; faults: Record<FaultKind, number> }

const here = import.meta.dirname;
const DIR = 'torture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runTorture(o: { killPoints: number; seed?: number; log?: (m: string) => void }): Promise<TortureResult> {
  const log = o.log ?? (() => undefined);
  const rand = rng(o.seed ?? 1);
  let s: LabStatus = labStatus();
  const sh = (host: string, cmd: string) => inHost(s, host, cmd);
  const refresh = () => { s = labStatus(); };
  // /run is the host's own tmpfs: after the host is killed the PID file is gone and the writer starts again.
  const startWriter = () => sh('mail1', `{ [ -f /run/fg-torture.pid ] && kill -0 "$(cat /run/fg-torture.pid)" 2>/dev/null; } || { python3 - /srv/mail/${DIR} >/dev/null 2>&1 <<'PY' &\n${readFileSync(join(here, 'writer.py'), 'utf8')}\nPY\necho $! > /run/fg-torture.pid; }`);
  const state = (host: string) => JSON.parse(sh(host, 'cat /var/lib/failguard/state.json').stdout || 'null') as { pid: number; points: string[]; received: { newestAt: number | null } } | null;
  const checker = readFileSync(join(here, 'check.py'), 'utf8');
  const users = s.mail.users;
  const result: TortureResult = { killPoints: 0, checkedPoints: 0, inconsistentPoints: 0, failures: [], faults: { 'source-agent': 0, 'target-agent': 0, 'link': 0, 'target-host': 0, 'source-host': 0 } };
  const checked = new Set<string>();
  // Across points, in the order taken, the second file's record count never goes back (a crash of the source cuts the
  // files back only to what both held whole, which every earlier point holds at most).
  let last: { point: string; seq: number; b: number } | null = null;
  startWriter();
  // The writer's files exist from this moment: a point named after it must hold them. The moment it was launched is too
  // early (the writer takes a moment to start): a point taken in between would be judged without its files.
  for (let i = 0; sh('mail1', `test -s /srv/mail/${DIR}/a.log && test -s /srv/mail/${DIR}/b.log`).code !== 0; i++) {
    if (i >= 100) throw new Error('the torture writer did not start within 10 s');
    await sleep(100);
  }
  const writerStartedAt = Date.now();
  let mailing = true;
  const mailLoop = (async () => {
    for (let i = 0; mailing; i++) {
      await sendMail(s.hosts.find((h) => h.name === 'mail1')!.address, 'torture@lab.test', `${users[i % users.length]}@${s.mail.domain}`, `torture ${i}`, `message ${i}`).catch(() => undefined);
      await sleep(300);
    }
  })();
  try {
    for (let k = 0; k < o.killPoints; k++) {
      await sleep(1000 + rand() * 3000);
      const kind = FAULTS[Math.floor(rand() * FAULTS.length)]!;
      log(`kill point ${k + 1}: ${kind}`);
      switch (kind) {
        case 'source-agent': { const st = state('mail1'); if (st) sh('mail1', `kill -9 ${st.pid}`); break; }
        case 'target-agent': { const st = state('mail2'); if (st) sh('mail2', `kill -9 ${st.pid}`); break; }
        case 'link': lab('cut', 'mail1', 'mail2'); await sleep(1000 + rand() * 2000); lab('heal', 'mail1', 'mail2'); break;
        case 'target-host': lab('kill', 'mail2'); await sleep(500); lab('start', 'mail2'); refresh(); break;
        case 'source-host': lab('kill', 'mail1'); await sleep(500); lab('start', 'mail1'); refresh(); startWriter(); break;
      }
      result.faults[kind]++;
      result.killPoints++;
      const after = Date.now();
      // Replication must resume: a point taken after the fault reaches the target.
      const deadline = after + 120_000;
      for (;;) {
        const st = state('mail2');
        if ((st?.received.newestAt ?? 0) > after) break;
        if (Date.now() > deadline) { result.failures.push(`kill point ${k + 1} (${kind}): replication did not resume within 120 s`); break; }
        await sleep(500);
      }
      const st = state('mail2');
      const fresh = (st?.points ?? []).filter((p) => !checked.has(p));
      if (fresh.length) {
        const r = sh('mail2', `python3 - /srv/.failguard/received ${DIR} ${writerStartedAt} ${fresh.join(' ')} <<'PY'\n${checker}\nPY`);
        const verdicts = JSON.parse(r.stdout || '{}') as Record<string, string>;
        for (const p of [...fresh].sort((x, y) => Number(x.slice(1, x.indexOf('-'))) - Number(y.slice(1, y.indexOf('-'))))) {
          checked.add(p);
          const v = verdicts[p];
          if (v === 'before-writer') continue;
          result.checkedPoints++;
          // No verdict at all (the checker failed) counts against the point, never for it.
          if (!v?.startsWith('ok:')) { result.inconsistentPoints++; result.failures.push(`${p}: ${v ?? `no verdict (${r.stderr.trim().split('\n').at(-1) ?? 'the checker printed nothing'})`}`); continue; }
          const seq = Number(p.slice(1, p.indexOf('-')));
          const b = Number(v.split(':')[2]);
          if (last && seq > last.seq && b < last.b) { result.inconsistentPoints++; result.failures.push(`${p}: holds ${b} records of b.log, fewer than the earlier ${last.point} (${last.b})`); }
          if (!last || seq > last.seq) last = { point: p, seq, b };
        }
        const newest = fresh.at(-1)!;
        const dove = sh('mail2', `bash -s ${newest} ${users.map((u) => `${u}@${s.mail.domain}`).join(' ')} <<'SH'\n${readFileSync(join(here, 'dovecot-check.sh'), 'utf8')}\nSH`);
        if (/FAIL/.test(dove.stdout)) { result.inconsistentPoints++; result.failures.push(`${newest}: Dovecot: ${dove.stdout.trim().split('\n').slice(0, 3).join(' / ')}`); }
      }
    }
  } finally {
    mailing = false;
    await mailLoop;
    sh('mail1', '[ -f /run/fg-torture.pid ] && kill "$(cat /run/fg-torture.pid)"; rm -f /run/fg-torture.pid; true');
    lab('heal', 'mail1', 'mail2');
  }
  return result;
}
