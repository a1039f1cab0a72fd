import { describe, expect, it } from 'vitest';
import { storedBytes } from '../../agent/src/btrfs.ts';

// `btrfs filesystem df -b /srv/mail` on the lab's MAIL1 with the million-file store.
const LAB = `Data, single: total=4303355904, used=4079632384
System, DUP: total=8388608, used=16384
Metadata, DUP: total=1073741824, used=741556224
GlobalReserve, single: total=77037568, used=0
`;

describe("a full send's size told from btrfs's own count", () => {
  it('adds the data and metadata in use, whatever their profiles', () => {
    expect(storedBytes(LAB)).toBe(4079632384 + 741556224);
    expect(storedBytes(LAB.replace('Data, single', 'Data, RAID1').replace('Metadata, DUP', 'Metadata, RAID1C3'))).toBe(4079632384 + 741556224);
  });

  it('says nothing when it cannot tell: no output, no data line, nothing used, a number out of range', () => {
    expect(storedBytes('')).toBeNull();
    expect(storedBytes('ERROR: not a btrfs filesystem: /srv/mail\n')).toBeNull();
    expect(storedBytes('Metadata, DUP: total=1073741824, used=741556224\n')).toBeNull();
    expect(storedBytes('Data, single: total=0, used=0\n')).toBeNull();
    expect(storedBytes('Data, single: total=1, used=99999999999999999999\n')).toBeNull();
    // A mixed volume (data and metadata in one kind of block group) is read from its one line.
    expect(storedBytes('Data+Metadata, single: total=9, used=6\nSystem, single: total=4, used=4\n')).toBe(6);
    // GlobalReserve and System are not what a send carries.
    expect(storedBytes('Data, single: total=10, used=7\nGlobalReserve, single: total=5, used=5\n')).toBe(7);
  });
});
