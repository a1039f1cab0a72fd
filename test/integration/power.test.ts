import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { hostOf, lab, labStatus, sshExec } from './helpers.ts';

/** PIDs of every process in a lab host's network namespace. */
const pidsIn = (name: string) => spawnSync('ip', ['netns', 'pids', `fg-${name}`], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean);

describe('pulling the plug', () => {
  it('kill ends every process of mail1 at once and start brings it back with its data', async () => {
    const before = labStatus();
    const h = hostOf(before, 'mail1');
    const marker = `marker-${Date.now()}`;
    await sshExec(h, h.hostKeyFingerprint!, `echo ${marker} > /srv/mail/marker && sync`);
    expect(pidsIn('mail1').length).toBeGreaterThan(3);
    expect(lab('kill', 'mail1').code).toBe(0);
    // At once: by the time the command returns, no process of the host is left.
    expect(pidsIn('mail1')).toEqual([]);
    expect(hostOf(labStatus(), 'mail1').running).toBe(false);
    expect(lab('start', 'mail1').code).toBe(0);
    const after = hostOf(labStatus(), 'mail1');
    expect(after.running).toBe(true);
    const r = await sshExec(after, after.hostKeyFingerprint!, 'cat /srv/mail/marker; pgrep -x master >/dev/null && echo postfix');
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([marker, 'postfix']);
  });

  it('says so when the host does not exist', () => {
    const r = lab('kill', 'mail9');
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('lab: There is no lab host called "mail9"; the hosts are dc1, mail1, mail2, mail3, witness, recv.');
  });
});
