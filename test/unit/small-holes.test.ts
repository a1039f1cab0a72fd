/** The smaller holes of the security review, each closed and held by a test. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAcceptedPins } from '../../electron/hosts/pin-store.ts';
import { readSshSecretFile } from '../../electron/cli/kept-secrets.ts';
import { sh } from '../../agent/src/monitor/services.ts';

const dir = mkdtempSync(join(tmpdir(), 'fg-holes-'));
const FP = `SHA256:${'A'.repeat(43)}`;

describe('smaller holes', () => {
  it('a pinned host key is recorded with the port it was seen on, and another port of the same host is another pin', async () => {
    const file = join(dir, 'pins.json');
    expect(await addAcceptedPins(file, [], [{ address: '198.18.0.11', port: 2222, fingerprint: FP }], [FP])).toBe(1);
    const pins = JSON.parse(readFileSync(file, 'utf8')) as Array<{ host: string; port: number }>;
    expect(pins).toEqual([{ host: '198.18.0.11', port: 2222, algorithm: 'ssh', fingerprint: FP }]);
    expect(await addAcceptedPins(file, pins as never, [{ address: '198.18.0.11', port: 22, fingerprint: FP }], [FP])).toBe(1);
    expect(await addAcceptedPins(file, pins as never, [{ address: '198.18.0.11', port: 2222, fingerprint: FP }], [FP])).toBe(0);
  });

  it('an SSH secret file that cannot be read is said in words, without an errno code', async () => {
    const e = await readSshSecretFile(join(dir, 'nope')).catch((x: Error) => x);
    expect((e as Error).message).toMatch(/cannot be read: .*does not exist/);
    expect((e as Error).message).not.toMatch(/\bE[A-Z]{3,}\b/);
  });

  it('the agent\'s command output goes to a file in a private folder of its own, never a guessable name in /tmp', async () => {
    const before = new Set(readdirSync(tmpdir()));
    // While the command runs, its output file exists: find it, in a folder this run made.
    const during = sh('ls -d /proc/self/fd/1 >/dev/null; readlink /proc/$$/fd/1', 5000);
    const out = (await during).output;
    expect(out).toMatch(/\/failguard-sh-[A-Za-z0-9]{6}\/\d+\.log$/);
    const folder = out.slice(0, out.lastIndexOf('/'));
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    // No guessable name in /tmp itself: what this run added there is at most its own private folder.
    expect(readdirSync(tmpdir()).filter((n) => !before.has(n)).every((n) => /^failguard-sh-[A-Za-z0-9]{6}$/.test(n))).toBe(true);
    expect(await sh('echo hello', 5000)).toEqual({ code: 0, output: 'hello' });
    // Its input arrives on stdin, not in the command's text.
    expect(await sh('cat', 5000, "line'one\n$(fg_pwned)\nFAILGUARD_STDIN\n")).toEqual({ code: 0, output: "line'one\n$(fg_pwned)\nFAILGUARD_STDIN" });
  });
});
