/**
 * Electron main process: one window, locked down; everything real lives in the Node
 * services the CLI and `serve` share. Not run here (no Electron binary on this machine).
 */
import { app, BrowserWindow, safeStorage, screen, session, shell } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { registerIpc } from './ipc.ts';
import { keptSecretsRun, rehearsalScheduler } from '../jobs/rehearsal-scheduler.ts';
import { APP_CSP, secureWindowOptions } from './window-options.ts';
import { fitToScreens, readWindowState, writeWindowState } from './window-state.ts';
import { electronPdfPrinter } from './electron-pdf.ts';
import { setPdfPrinter } from '../reports/pdf.ts';
import { JobSecrets } from '../jobs/job-secrets.ts';
import { SecretStore } from '../jobs/secret-store.ts';

const here = dirname(fileURLToPath(import.meta.url));
// dist/node/electron/main -> dist/renderer and dist/node/electron/preload
const indexHtml = join(here, '..', '..', '..', 'renderer', 'index.html');
const preload = join(here, '..', 'preload', 'preload.cjs');
const appUrl = pathToFileURL(indexHtml).toString();

app.enableSandbox();
// Journals and (next) jobs live in the app's own data folder; PDFs come from Electron's printing.
process.env.FAILGUARD_DATA_DIR ||= app.getPath('userData');
setPdfPrinter(electronPdfPrinter);

/**
 * Saved jobs' secrets, their key wrapped by the OS keychain; where the keychain cannot encrypt, nothing is kept.
 * On Linux without a secret service, safeStorage "encrypts" with a fixed password (`basic_text`): that is no keychain.
 */
async function keychainSecrets(): Promise<JobSecrets> {
  const basicText = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
  if (!safeStorage.isEncryptionAvailable() || basicText) return new JobSecrets(null, 'not kept: this system offers no keychain to protect them');
  return new JobSecrets(await SecretStore.open(join(app.getPath('userData'), 'secrets.json'), {
    kind: 'keychain', wrap: (k) => safeStorage.encryptString(k.toString('base64')), unwrap: (b) => Buffer.from(safeStorage.decryptString(b), 'base64'),
  }));
}

app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const secrets = await keychainSecrets();
  registerIpc(() => BrowserWindow.getAllWindows(), appUrl, secrets);
  // Scheduled rehearsals run while the app is open (the start page flags a slot missed while it was closed).
  rehearsalScheduler(keptSecretsRun(secrets));
  const stateFile = join(app.getPath('userData'), 'window.json');
  const fitted = fitToScreens(readWindowState(stateFile), screen.getAllDisplays().map((d) => d.workArea));
  const b = fitted?.bounds;
  const win = new BrowserWindow({ ...secureWindowOptions(preload), ...(b ? { width: b.width, height: b.height, ...(Number.isFinite(b.x) ? { x: b.x, y: b.y } : {}) } : {}) });
  if (fitted?.maximized) win.maximize();
  win.on('close', () => writeWindowState(stateFile, { bounds: win.getNormalBounds(), maximized: win.isMaximized() }));
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (url !== appUrl) e.preventDefault();
  });
  win.once('ready-to-show', () => win.show());
  await win.loadURL(appUrl);
});

app.on('window-all-closed', () => app.quit());
