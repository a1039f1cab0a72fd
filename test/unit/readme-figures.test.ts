/**
 * The README's counts come from the code, and its benchmark figures from a run: the rule count,
 * its categories and the fixes are read from the catalog; every benchmark's "Last line" in the
 * README is one JSON object holding exactly the fields that benchmark's row promises.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { catalog } from '../../electron/preflight/run.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('states the pre-flight catalog as it is: rules, categories, automatic fixes', () => {
    const m = /`preflight` runs every rule \((\d+), in (\d+) categories, (\d+) with an automatic fix\)/.exec(readme);
    expect(m, 'the sentence with the counts').not.toBeNull();
    const rules = catalog();
    expect(rules.length).toBeGreaterThanOrEqual(80);
    expect(m!.slice(1).map(Number)).toEqual([rules.length, new Set(rules.map((r) => r.category)).size, rules.filter((r) => r.fixable).length]);
  });

  it('gives, for each benchmark it quotes, a last line with exactly the fields of its row', () => {
    // The benchmark table: `name ...` | what | `{"field",...}` | goal.
    const rows = [...readme.matchAll(/^\| `(\w[\w-]*)[^`]*` \|[^|]*\| `(\{[^`]*\})` \|/gm)].map((r) => ({ name: r[1]!, fields: JSON.parse(`[${r[2]!.slice(1, -1)}]`) as string[] }));
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['discover', 'preflight', 'rehome', 'failover', 'tripwire', 'replication']));
    const quoted = [...readme.matchAll(/`npm run bench -- ([a-z][a-z-]*)[^`]*`[\s\S]*?Last line:\s*`(\{[^`]*\})`/g)].map((q) => ({ name: q[1]!, line: q[2]! }));
    expect(quoted.length).toBeGreaterThanOrEqual(4);
    for (const q of quoted) {
      const row = rows.find((r) => r.name === q.name);
      expect(row, `a row for ${q.name}`).toBeDefined();
      // An elided value ("…") stands for a string the README shortens.
      const line = JSON.parse(q.line.replace(/"…"/g, '""')) as Record<string, unknown>;
      expect(Object.keys(line).sort(), `${q.name}'s last line`).toEqual([...row!.fields].sort());
    }
  });
});
