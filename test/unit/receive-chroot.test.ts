/**
 * A standby receives a peer's stream with `btrfs receive --chroot` into its receive folder: a
 * stream that names paths outside it (a forged or damaged one) cannot write there. The spawn is
 * recorded, not run.
 */
import { describe, expect, it, vi } from 'vitest';

const spawned: Array<{ cmd: string; args: string[] }> = [];
vi.mock('node:child_process', async (orig) => ({
  ...(await orig<typeof import('node:child_process')>()),
  spawn: (cmd: string, args: string[]) => { spawned.push({ cmd, args }); return { pid: 1 } as never; },
}));

describe('btrfs receive', () => {
  it('runs chrooted into the receive folder, with the stream ending at its end marker', async () => {
    const { receiveProcess } = await import('../../agent/src/btrfs.ts');
    receiveProcess('/srv/.failguard/received');
    expect(spawned).toEqual([{ cmd: 'btrfs', args: ['receive', '-e', '--chroot', '/srv/.failguard/received'] }]);
  });
});
