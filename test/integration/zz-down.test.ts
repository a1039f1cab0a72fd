import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { lab, labStatus } from './helpers.ts';

const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout;

describe('lab down', () => {
  it('leaves no namespace, veth, bridge, mount, loop device or lab process behind, twice', () => {
    const s = labStatus();
    const pids = Object.values(s.pids).flatMap((p) => [p.initPid, p.unsharePid]);
    expect(pids.length).toBeGreaterThan(0);
    for (let i = 0; i < 2; i++) {
      const r = lab('down');
      expect(r.code).toBe(0);
    }
    expect(sh('ip netns list').split('\n').filter((l) => l.startsWith('fg-'))).toEqual([]);
    expect(sh('ip -o link show').split('\n').filter((l) => /fgv-|fgbr0/.test(l))).toEqual([]);
    expect(readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.includes(s.labDir))).toEqual([]);
    expect(sh('losetup -a').split('\n').filter((l) => l.includes(s.labDir))).toEqual([]);
    // A process is gone when /proc no longer has it, or only its exit status waits for the machine's init (zombie).
    for (const pid of pids) expect(sh(`awk '{print $3}' /proc/${pid}/stat 2>/dev/null || echo gone`).trim()).toMatch(/^(gone|Z)$/);
    expect(sh('pgrep -f "[f]ailguard-lab/hosts/.*/init.sh" || true').trim()).toBe('');
    expect(labStatus().up).toBe(false);
    // Bring it back for whatever runs next.
    expect(lab('up').code).toBe(0);
    expect(labStatus().hosts.every((h) => h.running)).toBe(true);
  });
});
