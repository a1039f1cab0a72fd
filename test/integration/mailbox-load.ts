/**
 * Mailboxes for the tripwire, as the lab test and the benchmark fill and attack them: each user
 * gets messages of about 54 kB written straight into its Maildir on MAIL1 (in batches, one point
 * each, so the tripwire on the standby learns the job's pattern), then every one of those
 * messages is encrypted in place with openssl, as ransomware would.
 */
import { VMAIL_UID } from '../lab/host-config.ts';

export const usersNamed = (n: number) => Array.from({ length: n }, (_, i) => `user${String(i + 1).padStart(6, '0')}`);
export const maildirOf = (u: string) => `/srv/mail/vmail/lab.test/${u}/Maildir`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Three messages for each user, subject `${tag} ${user} ${k}`, written in `batches` batches a little
 * over a second apart, into Maildirs emptied first (each user's first message is then one of these).
 */
export async function fillMailboxes(sh: (host: string, cmd: string) => unknown, users: readonly string[], tag: string, batches = 6): Promise<void> {
  sh('mail1', `rm -rf ${users.map((u) => maildirOf(u)).join(' ')}`);
  for (let batch = 0; batch < batches; batch++) {
    const script = users.filter((_, i) => i % batches === batch).flatMap((u) => [0, 1, 2].map((k) =>
      `mkdir -p ${maildirOf(u)}/new ${maildirOf(u)}/cur ${maildirOf(u)}/tmp && printf 'From: probe@lab.test\\r\\nTo: ${u}@lab.test\\r\\nSubject: ${tag} ${u} ${k}\\r\\n\\r\\n' > ${maildirOf(u)}/new/${tag}-${k}.mail1 && cat /tmp/${tag}.body >> ${maildirOf(u)}/new/${tag}-${k}.mail1`));
    sh('mail1', `seq 1 900 | sed 's/.*/Line & of the quarterly report: & units shipped, none returned./' > /tmp/${tag}.body; ${script.join('; ')}; chown -R ${VMAIL_UID}:${VMAIL_UID} /srv/mail/vmail/lab.test; sync`);
    await sleep(1300);
  }
}

/** Every message of those users' Maildirs encrypted in place (AES-256, openssl), as ransomware would leave them. */
export function encryptMailboxes(sh: (host: string, cmd: string) => unknown, users: readonly string[]): void {
  const dirs = users.flatMap((u) => [`${maildirOf(u)}/new`, `${maildirOf(u)}/cur`]).join(' ');
  sh('mail1', `for f in $(find ${dirs} -type f 2>/dev/null); do openssl enc -aes-256-cbc -pbkdf2 -pass pass:ransom -in "$f" -out "$f.x" && mv "$f.x" "$f"; done; sync`);
}
