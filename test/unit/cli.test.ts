import { capture } from './capture-output.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main, EXIT } from '../../electron/cli/main.ts';
import { VERSION } from '../../electron/backend/version.ts';

afterEach(() => vi.restoreAllMocks());

describe('the failguard CLI', () => {
  it('prints its version', async () => {
    const io = capture();
    expect(await main(['--version'])).toBe(EXIT.ok);
    expect(io.out.join('')).toBe(`${VERSION}\n`);
  });

  it('lists serve in its help', async () => {
    const io = capture();
    expect(await main(['--help'])).toBe(EXIT.ok);
    expect(io.out.join('')).toMatch(/serve/);
  });

  it.each([
    [['--bogus'], /"--bogus" is not an option/],
    [['frobnicate'], /"frobnicate" is not a failguard command; the commands are serve/],
    [['serve', '--port', 'abc'], /--port must be a number from 0 to 65535; "abc" is not\./],
    [['serve', '--port', '70000'], /--port must be a number/],
  ])('%j fails with one sentence and the usage exit code', async (argv, sentence) => {
    const io = capture();
    expect(await main(argv)).toBe(EXIT.usage);
    const text = io.err.join('');
    expect(text).toMatch(sentence);
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(io.out.join('')).toBe('');
  });
});

describe('the Node.js that runs', () => {
  it('is 22 or newer (npm scripts use the one in node_modules)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });
});

describe('failguard rules and preflight (no lab)', () => {
  it('rules --json lists the catalog with the fields tools need', async () => {
    const io = capture();
    expect(await main(['rules', '--json'])).toBe(EXIT.ok);
    const rules = JSON.parse(io.out.join('')) as Array<Record<string, unknown>>;
    expect(rules.length).toBeGreaterThanOrEqual(60);
    for (const r of rules) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['id', 'title', 'category', 'platform', 'severity', 'fixable']));
      expect(typeof r.fixable).toBe('boolean');
    }
  });

  it.each([
    [['preflight'], /--source NAME --target NAME/],
    [['preflight', '--source', 'a', '--target', 'b', '--report', 'x.html'], /--format html, pdf, json or junit/],
    [['preflight', '--source', 'a', '--target', 'b', '--format', 'docx'], /"docx"|docx/],
  ])('%j: one sentence, the usage exit code (never a check outcome), nothing run', async (argv, sentence) => {
    const io = capture();
    const code = await main(argv);
    expect(code).toBe(EXIT.usage);
    expect(io.err.join('')).toMatch(sentence);
    expect(io.err.join('').trim().split('\n')).toHaveLength(1);
  });
});
