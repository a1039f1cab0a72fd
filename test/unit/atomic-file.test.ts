import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../electron/backend/atomic-file.ts';

describe('replacing one of this computer\'s files', () => {
  for (const [name, write] of [['async', writeFileAtomic], ['durable', (f: string, b: string) => writeFileAtomic(f, b, { durable: true })], ['sync', async (f: string, b: string) => writeFileAtomicSync(f, b)]] as const) {
    it(`${name}: the new content whole, only the owner may read it, and no temporary file left`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fg-atomic-'));
      const f = join(dir, 'job.json');
      writeFileSync(f, 'old', { mode: 0o644 });
      await write(f, 'new content');
      expect(readFileSync(f, 'utf8')).toBe('new content');
      expect(statSync(f).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir)).toEqual(['job.json']);
    });

    it(`${name}: a write that cannot be put in place leaves what was there and no temporary file`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fg-atomic-'));
      // A folder where the file should be: the rename fails.
      const f = join(dir, 'taken');
      mkdirSync(f);
      writeFileSync(join(f, 'inside'), 'kept');
      await expect(write(f, 'new')).rejects.toThrow();
      expect(readdirSync(dir)).toEqual(['taken']);
      expect(readFileSync(join(f, 'inside'), 'utf8')).toBe('kept');
    });
  }

  it('two writers at once never share a temporary file: the last one is there, whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-atomic-'));
    const f = join(dir, 'history.json');
    const bodies = Array.from({ length: 20 }, (_, i) => JSON.stringify({ writer: i, pad: 'x'.repeat(50_000) }));
    await Promise.all(bodies.map((b) => writeFileAtomic(f, b)));
    expect(bodies).toContain(readFileSync(f, 'utf8'));
    expect(readdirSync(dir)).toEqual(['history.json']);
  });
});
