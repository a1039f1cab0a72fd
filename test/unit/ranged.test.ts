import { describe, expect, it } from 'vitest';
import type { Client } from 'ldapts';
import { countRangedValues } from '../../electron/directory/ranged.ts';

/** Answers base reads the way Windows AD does: at most `step` values, naming the slice sent. */
function adLikeClient(total: number, step: number) {
  const asked: string[] = [];
  const client = {
    async search(dn: string, opts: { attributes: string[] }) {
      const attr = opts.attributes[0]!;
      asked.push(attr);
      const low = Number(/;range=(\d+)-\*/.exec(attr)![1]);
      const high = Math.min(low + step - 1, total - 1);
      const last = high === total - 1;
      const values = Array.from({ length: Math.max(0, high - low + 1) }, (_, i) => `CN=user${low + i},${dn}`);
      return { searchEntries: [{ dn, [`homeMDBBL;range=${low}-${last ? '*' : high}`]: values }], searchReferences: [] };
    },
  };
  return { client: client as unknown as Client, asked };
}

describe('ranged retrieval of a backlink', () => {
  it('follows AD\'s 1,500-value slices to the end', async () => {
    const { client, asked } = adLikeClient(4000, 1500);
    expect(await countRangedValues(client, 'CN=DB1', 'homeMDBBL')).toBe(4000);
    expect(asked).toEqual(['homeMDBBL;range=0-*', 'homeMDBBL;range=1500-*', 'homeMDBBL;range=3000-*']);
  });

  it('takes Samba\'s everything-at-once answer, and an empty attribute', async () => {
    const samba = { async search(dn: string) { return { searchEntries: [{ dn, homeMDBBL: ['a', 'b', 'c'] }], searchReferences: [] }; } } as unknown as Client;
    expect(await countRangedValues(samba, 'CN=DB1', 'homeMDBBL')).toBe(3);
    const none = { async search(dn: string) { return { searchEntries: [{ dn }], searchReferences: [] }; } } as unknown as Client;
    expect(await countRangedValues(none, 'CN=DB1', 'homeMDBBL')).toBe(0);
  });
});
