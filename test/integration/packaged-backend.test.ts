/**
 * The packaged app can load its back end: production dependencies only (`npm ci --omit=dev`
 * in a scratch copy of the built app), then every back-end entry point is imported by
 * plain Node, outside Vitest's module transforms (which hide ESM/CommonJS mistakes).
 */
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ENTRY_POINTS = ['electron/cli/main.js', 'electron/serve/server.js', 'electron/backend/handlers.js', 'electron/preflight/service.js', 'electron/reports/write.js', 'electron/plans/engine.js'];

describe('the back end with production dependencies only', () => {
  it('installs without devDependencies and loads every entry point', () => {
    expect(existsSync('dist/node/electron/cli/main.js'), 'npm run build first').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'fg-prod-'));
    try {
      for (const f of ['package.json', 'package-lock.json', '.npmrc', 'bin']) cpSync(f, join(dir, f), { recursive: true });
      cpSync('dist/node', join(dir, 'dist/node'), { recursive: true });
      const ci = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
      expect(ci.status, ci.stderr).toBe(0);
      expect(existsSync(join(dir, 'node_modules/playwright-core')), 'a devDependency was installed').toBe(false);
      expect(existsSync(join(dir, 'node_modules/vitest'))).toBe(false);
      const script = `for (const f of ${JSON.stringify(ENTRY_POINTS)}) await import('./dist/node/' + f);\nprocess.stdout.write('loaded');`;
      const load = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
      expect(load.stderr).toBe('');
      expect(load.stdout).toBe('loaded');
      const cli = spawnSync(process.execPath, ['bin/failguard.js', 'rules', '--json'], { cwd: dir, encoding: 'utf8' });
      expect(cli.status, cli.stderr).toBe(0);
      expect((JSON.parse(cli.stdout) as unknown[]).length).toBeGreaterThanOrEqual(60);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
