/**
 * Layering that holds: no import cycles among the back end, shared/ and the agent, and
 * rules that import nothing doing I/O (all imports counted, type-only ones too: a cycle
 * of types is still a knot in the design).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(ts|cts|tsx)$/.test(n) && !n.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every import and re-export of a file: relative ones as repository paths, packages by name. */
function importsOf(file: string): { local: string[]; external: string[] } {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const specs = info.importedFiles.map((f) => f.fileName);
  return {
    local: specs.filter((s) => s.startsWith('.')).map((s) => relative(root, resolve(dirname(file), s))),
    external: specs.filter((s) => !s.startsWith('.')),
  };
}

const all = ['electron', 'shared', 'agent'].flatMap((d) => files(join(root, d))).map((f) => relative(root, f));
const graph = new Map(all.map((f) => [f, importsOf(join(root, f))]));

/** Strongly connected components with more than one file (or a file importing itself): Tarjan. */
function cycles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v)?.local ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || graph.get(v)!.local.includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

function closure(start: string): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...(graph.get(f)?.local ?? []));
  }
  return seen;
}

/** What a rule may reach: pure code only. Hashing a plan's content (node:crypto) and validating with zod's schemas are computation, not I/O. */
const PURE_EXTERNAL = new Set(['node:crypto', 'zod']);

describe('the import graph', () => {
  it('resolves every relative import to a file', () => {
    const missing = [...graph].flatMap(([f, i]) => i.local.filter((t) => !graph.has(t) && !t.startsWith('test/') && !t.startsWith('renderer/') && !t.startsWith('dist/')).map((t) => `${f} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it('has no cycles inside electron/, shared/ and agent/', () => {
    expect(cycles()).toEqual([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    graph.set('electron/x-a.ts', { local: ['electron/x-b.ts'], external: [] });
    graph.set('electron/x-b.ts', { local: ['electron/x-a.ts'], external: [] });
    try {
      expect(cycles()).toContainEqual(['electron/x-a.ts', 'electron/x-b.ts']);
    } finally {
      graph.delete('electron/x-a.ts');
      graph.delete('electron/x-b.ts');
    }
  });

  it('loads no devDependency on the back end\'s import path (the packaged app has none); Electron itself only in the shell', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const dev = new Set(Object.keys(pkg.devDependencies));
    const bad = [...graph].filter(([f]) => !f.startsWith('electron/main/') && !f.startsWith('electron/preload/'))
      .flatMap(([f, i]) => i.external.filter((x) => dev.has(x.startsWith('@') ? x.split('/').slice(0, 2).join('/') : x.split('/')[0]!)).map((x) => `${f} imports ${x}`));
    expect(bad).toEqual([]);
    const shell = [...graph].filter(([f]) => f.startsWith('electron/main/') || f.startsWith('electron/preload/'))
      .flatMap(([f, i]) => i.external.filter((x) => dev.has(x.split('/')[0]!) && x !== 'electron').map((x) => `${f} imports ${x}`));
    expect(shell).toEqual([]);
  });

  it('lets rules reach nothing that does I/O', () => {
    const rules = all.filter((f) => f.startsWith('electron/preflight/rules/'));
    expect(rules.length).toBeGreaterThan(60);
    const bad = rules.flatMap((r) => [...closure(r)].flatMap((f) => (graph.get(f)?.external ?? []).filter((x) => !PURE_EXTERNAL.has(x)).map((x) => `${r}: ${f} imports ${x}`)));
    expect([...new Set(bad)]).toEqual([]);
  });
});
