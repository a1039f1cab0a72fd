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

describe('the window\'s remembered size and place', async () => {
  const { fitToScreens } = await import('../../electron/main/window-state.ts');
  const screens = [{ x: 0, y: 0, width: 1920, height: 1080 }, { x: 1920, y: 0, width: 1280, height: 1024 }];
  it('opens where it was, on a screen that still exists, no larger than that screen', () => {
    expect(fitToScreens({ bounds: { x: 2000, y: 50, width: 1500, height: 900 }, maximized: false }, screens)).toEqual({ bounds: { x: 2000, y: 50, width: 1280, height: 900 }, maximized: false });
    expect(fitToScreens({ bounds: { x: 100, y: 100, width: 400, height: 300 }, maximized: true }, screens)).toEqual({ bounds: { x: 100, y: 100, width: 900, height: 640 }, maximized: true });
  });
  it('keeps only the size when no screen shows the saved place, and nothing from a damaged file', () => {
    const r = fitToScreens({ bounds: { x: 5000, y: 50, width: 1000, height: 700 } }, screens);
    expect([r?.bounds?.width, r?.bounds?.height, Number.isFinite(r?.bounds?.x)]).toEqual([1000, 700, false]);
    expect(fitToScreens({ bounds: { x: 'a' } }, screens)).toBeNull();
    expect(fitToScreens(null, screens)).toBeNull();
  });
});
