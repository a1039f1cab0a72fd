import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));
const { secureWindowOptions, APP_CSP } = await import('../../electron/main/window-options.ts');
const { isTrustedSender } = await import('../../electron/main/trusted-sender.ts');

describe('the app window', () => {
  it('is isolated, sandboxed and without Node', () => {
    const o = secureWindowOptions('/x/preload.cjs');
    expect(o.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false });
  });

  it('gets a CSP without inline or eval', () => {
    expect(APP_CSP).toContain("default-src 'none'");
    expect(APP_CSP).not.toMatch(/unsafe-(inline|eval)/);
  });
});

describe('IPC sender check', () => {
  const app = 'file:///opt/failguard/dist/renderer/index.html';
  const ids = new Set([7]);
  it.each([
    [{ webContentsId: 7, frameUrl: app, isMainFrame: true }, true],
    [{ webContentsId: 7, frameUrl: `${app}#/servers`, isMainFrame: true }, true],
    [{ webContentsId: 8, frameUrl: app, isMainFrame: true }, false],
    [{ webContentsId: 7, frameUrl: app, isMainFrame: false }, false],
    [{ webContentsId: 7, frameUrl: 'https://evil.example/index.html', isMainFrame: true }, false],
    [{ webContentsId: 7, frameUrl: 'file:///tmp/other.html', isMainFrame: true }, false],
    [{ webContentsId: 7, frameUrl: null, isMainFrame: true }, false],
    [{ webContentsId: 7, frameUrl: 'not a url', isMainFrame: true }, false],
  ])('%j -> %s', (sender, expected) => {
    expect(isTrustedSender(sender, ids, app)).toBe(expected);
  });
});
