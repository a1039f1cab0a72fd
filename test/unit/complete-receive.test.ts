import { describe, expect, it } from 'vitest';
import { showsCompleteReceive } from '../../agent/src/btrfs.ts';

/** `btrfs subvolume show` of a point `btrfs receive -e --chroot` completed (btrfs-progs 6.2, recorded in the lab). */
const RECEIVED = `\tName: \t\t\tx-tiny-ro
\tUUID: \t\t\t47b8fbcb-31ef-d04d-9270-d47bed94b8d7
\tParent UUID: \t\t-
\tReceived UUID: \t\t5b894c5c-b55b-8e44-a5d7-288697502ae0
\tCreation time: \t\t2026-12-05 16:38:40 +0000
\tSubvolume ID: \t\t383
\tGeneration: \t\t440
\tGen at creation: \t440
\tParent ID: \t\t5
\tTop level ID: \t\t5
\tFlags: \t\t\treadonly
\tSend transid: \t\t164
\tSend time: \t\t2026-12-05 16:38:40 +0000
\tReceive transid: \t440
\tReceive time: \t\t2026-12-05 16:38:40 +0000
\tSnapshot(s):
`;

describe('a complete receive, read from one `btrfs subvolume show`', () => {
  it('is read-only with a received UUID', () => {
    expect(showsCompleteReceive(RECEIVED)).toBe(true);
  });

  it('is not, while receive has not yet set the flag or the UUID', () => {
    const writable = RECEIVED.replace(/(Flags:\s+)readonly/, '$1-');
    const noUuid = RECEIVED.replace(/(Received UUID:\s+)\S+/, '$1-');
    expect(writable).not.toBe(RECEIVED);
    expect(noUuid).not.toBe(RECEIVED);
    expect(showsCompleteReceive(writable)).toBe(false);
    expect(showsCompleteReceive(noUuid)).toBe(false);
  });

  it('is not, for no output (the subvolume is gone) or for a UUID named only in another line', () => {
    expect(showsCompleteReceive('')).toBe(false);
    const elsewhere = RECEIVED.replace(/(Received UUID:\s+)\S+/, '$1-').replace(/(Name:\s+)\S+/, '$1Received UUID: 5b894c5c-b55b-8e44-a5d7-288697502ae0');
    expect(showsCompleteReceive(elsewhere)).toBe(false);
  });
});
