/** The one place our window's security settings live, so a test can hold them to account. */
import type { BrowserWindowConstructorOptions } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../serve/headers.ts';

export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1180,
    height: 820,
    minWidth: 900,
    minHeight: 640,
    title: 'Failguard',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** The same policy the served page gets, applied to every response in the app window. */
export const APP_CSP = CONTENT_SECURITY_POLICY;
