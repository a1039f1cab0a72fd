import { describe, expect, it, vi } from 'vitest';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { EVENT_NAMES, METHOD_NAMES, isMethodName } from '../../shared/contract.ts';

describe('the contract', () => {
  it('lists its whole surface (a change here must show in review)', () => {
    expect([...METHOD_NAMES].sort()).toEqual(['app.info', 'directory.discover', 'failover.apply', 'failover.plan', 'jobs.list', 'jobs.opened', 'jobs.points', 'jobs.rehearsalReport', 'jobs.rehearsals', 'jobs.status', 'operation.cancel', 'preflight.report', 'preflight.rules', 'preflight.run', 'protect.apply', 'protect.plan']);
    expect([...EVENT_NAMES].sort()).toEqual(['operation.progress']);
  });

  it('recognises only its own method names', () => {
    expect(isMethodName('app.info')).toBe(true);
    expect(isMethodName('invoke')).toBe(false);
    expect(isMethodName('__proto__')).toBe(false);
  });
});

describe('the preload', () => {
  it('exposes exactly one function per contract method and event, and nothing generic', async () => {
    const exposed: Record<string, unknown> = {};
    const ipcRenderer = { invoke: vi.fn(async () => ({ ok: true, result: 1 })), on: vi.fn(), removeListener: vi.fn() };
    const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => { exposed[key] = api; } }, ipcRenderer };
    // The preload is CommonJS (sandboxed preloads must be); run its compiled form with a stand-in for electron.
    const ts = await import('typescript');
    const src = readFileSync(new URL('../../electron/preload/preload.cts', import.meta.url), 'utf8');
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const require = createRequire(import.meta.url);
    const module = { exports: {} };
    new Function('require', 'module', 'exports', js)((id: string) => (id === 'electron' ? electron : require(id)), module, module.exports);
    expect(Object.keys(exposed)).toEqual(['failguard']);
    const api = exposed.failguard as { invoke: Record<string, (r: unknown) => Promise<unknown>>; on: Record<string, unknown> };
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    expect(Object.keys(api.invoke).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.keys(api.on).sort()).toEqual([...EVENT_NAMES].sort());
    await api.invoke['app.info']!({});
    expect(ipcRenderer.invoke).toHaveBeenCalledWith('app.info', {});
  });
});
