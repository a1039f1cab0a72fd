/**
 * `npm run lab -- scale-store [--messages 1000000] [--users 2000]`: a mail store of many small
 * files on MAIL1, as a real one is — Maildir messages of about 4 KiB (headers and a body of
 * words, each different) in `cur/` of each user under /srv/mail/vmail/scale.test/ — for the
 * replication-scale benchmark. Built in place, not timed. MAIL1's and MAIL2's volumes grow to
 * 24 GiB first (sparse image files: the space is taken only as it is written), since the store
 * and its copy on MAIL2 do not fit the lab's 4 GiB. `--remove` deletes the store again.
 */
import { initPidOf } from './hosts.ts';
import { imageOf } from './host-fs.ts';
import { run, log } from './sh.ts';

const GROWN_GIB = 24;
export const SCALE_DIR = '/srv/mail/vmail/scale.test';

function inHost(name: string, script: string, timeoutMs = 3_600_000): string {
  const pid = initPidOf(name);
  if (!pid) throw new Error(`${name} is not running; bring the lab up with: npm run lab -- up`);
  const r = run('nsenter', ['-t', String(pid), '-a', '/bin/bash', '-c', script], { allowFail: true, timeoutMs });
  if (r.code !== 0) throw new Error(`${name}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' / ')}`);
  return r.stdout;
}

/** The host's /srv grown to GROWN_GIB (the image file, then the loop device's size, then btrfs), online. */
function grow(name: string): void {
  run('truncate', ['-s', `>${GROWN_GIB}G`, imageOf(name)]);
  inHost(name, 'set -e; dev=$(findmnt -n -o SOURCE /srv); losetup -c "$dev"; btrfs filesystem resize max /srv >/dev/null');
}

// Each message differs in its headers (a counter, its Message-ID); the bodies, words drawn by a seeded generator, come from
// a pool of 8192 and start at an offset of their own, so no two files are the same.
const WRITER = `
import os, random, sys, time
root, messages, users = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
words = open("/usr/share/common-licenses/GPL-3").read().split()
rnd = random.Random(20261205)
pool = [" ".join(rnd.choice(words) for _ in range(700)) for _ in range(8192)]
per = messages // users
now = int(time.time())
n = 0
for u in range(users):
    d = os.path.join(root, "user%05d" % u, "Maildir")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    cur = os.path.join(d, "cur")
    for i in range(per + (1 if u < messages % users else 0)):
        n += 1
        b = pool[(n * 7919) % 8192]
        off = n % 200
        text = "From: sender%d@example.test\\nTo: user%05d@scale.test\\nSubject: message %d of user %d\\nMessage-ID: <%d.%d@scale.test>\\n\\n%s\\n" % (i % 97, u, i, u, u, i, b[off:off + 3700])
        name = "%d.M%dP%d.mail1,S=%d:2,S" % (now - i, i, u, len(text))
        with open(os.path.join(cur, name), "w") as f:
            f.write(text)
os.system("sync")
`;

export function buildScaleStore(o: { messages: number; users: number }): { files: number; bytes: number } {
  if (!(o.messages >= 1 && o.users >= 1 && o.users <= o.messages)) throw new Error('give at least one message per user (--messages ≥ --users ≥ 1).');
  for (const h of ['mail1', 'mail2']) grow(h);
  log(`MAIL1 and MAIL2: /srv grown to ${GROWN_GIB} GiB`);
  inHost('mail1', `rm -rf ${SCALE_DIR}; mkdir -p ${SCALE_DIR}`);
  const started = Date.now();
  inHost('mail1', `python3 -c '${WRITER}' ${SCALE_DIR} ${o.messages} ${o.users}`);
  const [files, bytes] = inHost('mail1', `find ${SCALE_DIR} -type f | wc -l; du -sb ${SCALE_DIR} | cut -f1`).trim().split('\n').map(Number);
  log(`MAIL1: ${files} messages of ${o.users} users in ${SCALE_DIR}, ${(bytes! / 2 ** 30).toFixed(2)} GiB (built in ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return { files: files!, bytes: bytes! };
}

export function removeScaleStore(): void {
  inHost('mail1', `rm -rf ${SCALE_DIR}; btrfs filesystem sync /srv >/dev/null`);
  log('MAIL1: the scale store is removed');
}
