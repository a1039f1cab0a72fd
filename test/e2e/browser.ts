/** Debian's Chromium driven by playwright-core, and `failguard serve` as a real child process. */
import { chromium, type Browser } from 'playwright-core';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import { join } from 'node:path';

export const ARTEFACTS = join(process.cwd(), 'test-results', 'e2e');
mkdirSync(ARTEFACTS, { recursive: true });

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export interface Served { url: string; origin: string; token: string; child: ChildProcess; dataDir: string; output(): string; stop(): Promise<void> }

/** Starts the built CLI's `serve` and waits for the address it prints. */
export function serve(args: string[] = []): Promise<Served> {
  return new Promise((resolve, reject) => {
    // Its own data folder (journals), as a fresh install would have.
    const dataDir = mkdtempSync(join(tmpdir(), 'fg-serve-data-'));
    const env = { ...process.env, FAILGUARD_DATA_DIR: dataDir };
    const child = spawn(process.execPath, ['bin/failguard.js', 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no address: ${out}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], origin: m[1]!, token: m[2]!, child, dataDir, output: () => out, stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

/** One served UI and one Chromium for a test file, started before its tests and stopped after. */
export function useServedBrowser(args: string[] = []): { browser: () => Browser; served: () => Served } {
  let browser: Browser | undefined;
  let served: Served | undefined;
  beforeAll(async () => {
    served = await serve(args);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });
  return { browser: () => browser!, served: () => served! };
}
