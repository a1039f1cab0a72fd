/**
 * The desktop app's PDF printer: the report in a hidden, sandboxed window with no preload
 * and no network, printed by Electron's own Chromium. Not run here (no Electron binary).
 */
import { BrowserWindow } from 'electron';
import type { PdfPrinter } from '../reports/pdf.ts';

export const electronPdfPrinter: PdfPrinter = async (html) => {
  const win = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, partition: 'failguard-pdf' } });
  try {
    // Its own session (partition): blocking every request but the data: page touches nothing of the main window.
    win.webContents.session.webRequest.onBeforeRequest((details, cb) => cb({ cancel: !details.url.startsWith('data:') }));
    await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    return await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, margins: { top: 0.6, bottom: 0.6, left: 0.5, right: 0.5 } });
  } finally {
    win.destroy();
  }
};
