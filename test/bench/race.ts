/**
 * The replication race, timed the same way for every contender: from the moment a `btrfs send`
 * process starts on mail1 to the moment the `btrfs receive` that takes it ends on mail2 (the
 * point then complete and read-only there), each seen from outside the tools by a watcher on
 * each host that scans its processes every 10 ms. Start-up, snapshots and listings before the
 * send count for nobody; every contender sends the same data uncompressed over mail1's shaped link.
 *  - raw: `btrfs send` written straight into one TCP connection (bash's /dev/tcp) that mail2
 *    hands to `btrfs receive` as its standard input: the physical anchor;
 *  - btrbk: Debian's btrbk, snapshot + send over SSH (btrbk.ts);
 *  - Failguard: the job protected from nothing; its initial sync.
 * The lab's hosts share one kernel clock, so the two watchers' times compare.
 */
import { inHost, type LabStatus } from '../integration/helpers.ts';
import { benchBtrbk } from './btrbk.ts';

export type Contender = 'raw' | 'btrbk' | 'failguard';

const WATCH = `
import os, sys, time, json
want, out, seconds = sys.argv[1].encode(), sys.argv[2], float(sys.argv[3])
seen = {}
end = time.time() + seconds
with open(out, "a", buffering=1) as f:
    while time.time() < end:
        now = time.time()
        live = set()
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                cmd = open("/proc/%s/cmdline" % p, "rb").read().split(b"\\0")
            except OSError:
                continue
            if len(cmd) > 1 and cmd[0].endswith(b"btrfs") and cmd[1] == want:
                live.add(p)
                if p not in seen:
                    seen[p] = now
                    f.write(json.dumps({"pid": p, "start": now}) + "\\n")
        for p in list(seen):
            if p not in live:
                f.write(json.dumps({"pid": p, "start": seen.pop(p), "end": now}) + "\\n")
        time.sleep(0.01)
`;

interface Seen { pid: string; start: number; end?: number }

/**
 * Watches `btrfs send` on mail1 and `btrfs receive` on mail2 while `run` runs; the seconds from the first send's start to
 * the end of the receive that completed the point. Without `doneAt` that is the first receive to end (one transfer); with
 * it (Failguard, whose failed attempts are retried and whose next points follow at once), the last receive that ended by
 * the moment `doneAt` gives (epoch seconds, once the tool has recorded its transfer as complete): a failed attempt counts
 * against the tool, a later point does not.
 */
export async function timedTransfer(s: LabStatus, run: () => Promise<void> | void, maxSeconds = 1800, doneAt?: () => number | null): Promise<number> {
  const stamp = Date.now();
  const files = { mail1: `/tmp/fg-race-send-${stamp}.jsonl`, mail2: `/tmp/fg-race-receive-${stamp}.jsonl` };
  const start = (host: 'mail1' | 'mail2', what: string) => inHost(s, host, `nohup python3 -c '${WATCH}' ${what} ${files[host]} ${maxSeconds} >/dev/null 2>&1 & echo $!`).stdout.trim();
  const watchers = { mail1: start('mail1', 'send'), mail2: start('mail2', 'receive') };
  const read = (host: 'mail1' | 'mail2'): Seen[] => inHost(s, host, `cat ${files[host]} 2>/dev/null`).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Seen);
  try {
    await new Promise((r) => setTimeout(r, 300));
    await run();
    const deadline = Date.now() + maxSeconds * 1000;
    for (;;) {
      // Once a second, and the tool's own record only once a receive has ended: the times are the watchers', so a calm
      // poll loses nothing, and the processes each look starts take no CPU from the transfer being timed.
      const send = read('mail1')[0];
      const ended = send ? read('mail2').filter((x) => x.end !== undefined && x.start >= send.start - 0.05) : [];
      const done = doneAt && ended.length ? doneAt() : null;
      const received = doneAt ? (done === null ? undefined : ended.filter((x) => x.end! <= done + 0.05).at(-1)) : ended[0];
      if (send && received) return received.end! - send.start;
      if (Date.now() > deadline) throw new Error('no send and receive were seen');
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    inHost(s, 'mail1', `kill ${watchers.mail1} 2>/dev/null; rm -f ${files.mail1}`);
    inHost(s, 'mail2', `kill ${watchers.mail2} 2>/dev/null; rm -f ${files.mail2}`);
  }
}

/** The physical anchor: a read-only snapshot of /srv/mail sent into one TCP connection, received on mail2; cleaned up after. */
export async function rawTransfer(s: LabStatus, port = 7999): Promise<number> {
  const mail2 = s.hosts.find((h) => h.name === 'mail2')!.address;
  const sh = (host: string, cmd: string) => {
    const r = inHost(s, host, cmd);
    if (r.code !== 0) throw new Error(`raw send on ${host}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' / ')}`);
    return r.stdout;
  };
  sh('mail1', 'btrfs -q subvolume snapshot -r /srv/mail /srv/fg-raw-snap');
  sh('mail2', 'mkdir -p /srv/fg-raw-target');
  // One connection, handed whole to btrfs receive as its standard input.
  const listener = sh('mail2', `nohup python3 -c '
import socket, subprocess
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", ${port})); s.listen(1)
c, _ = s.accept()
subprocess.run(["btrfs", "receive", "-e", "/srv/fg-raw-target"], stdin=c.fileno(), check=True)
' >/tmp/fg-raw-receive.log 2>&1 & echo $!`).trim();
  try {
    await new Promise((r) => setTimeout(r, 500));
    const seconds = await timedTransfer(s, () => { sh('mail1', `btrfs send -q /srv/fg-raw-snap > /dev/tcp/${mail2}/${port}`); });
    if (sh('mail2', 'btrfs property get -ts /srv/fg-raw-target/fg-raw-snap ro').trim() !== 'ro=true') throw new Error('the raw receive did not complete a read-only subvolume');
    return seconds;
  } finally {
    inHost(s, 'mail2', `kill ${listener} 2>/dev/null; [ -d /srv/fg-raw-target/fg-raw-snap ] && btrfs -q subvolume delete /srv/fg-raw-target/fg-raw-snap; rmdir /srv/fg-raw-target 2>/dev/null; true`);
    inHost(s, 'mail1', 'btrfs -q subvolume delete /srv/fg-raw-snap 2>/dev/null; true');
  }
}

/** btrbk's run, timed by the watchers (its own wall time, Perl and snapshot included, is returned beside). */
export async function btrbkTransfer(s: LabStatus): Promise<{ seconds: number; wallSeconds: number }> {
  let wallSeconds = 0;
  const seconds = await timedTransfer(s, () => { wallSeconds = benchBtrbk(s); });
  return { seconds, wallSeconds };
}

/** Median and spread of a list. */
export function summary(xs: number[]): { median: number; min: number; max: number; spread: number } {
  const v = [...xs].sort((a, b) => a - b);
  const median = v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  return { median, min: v[0]!, max: v.at(-1)!, spread: v.at(-1)! - v[0]! };
}
