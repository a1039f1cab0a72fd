/**
 * PDF: the HTML report printed by a browser engine (the same page the auditor would print).
 * In the desktop app Electron prints it itself (`setPdfPrinter` from the main process); in
 * `serve` and the CLI the system's Chromium prints it headless. Nothing here comes from a
 * devDependency, so the packaged app can load it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../shared/errors.ts';

export type PdfPrinter = (html: string) => Promise<Buffer>;

let printer: PdfPrinter | null = null;

/** The desktop app installs Electron's printer here at start-up. */
export function setPdfPrinter(p: PdfPrinter | null): void {
  printer = p;
}

export async function htmlToPdf(html: string): Promise<Buffer> {
  return (printer ?? chromiumPrinter())(html);
}

/** The system's Chromium, headless, with its own empty profile and no network of its own. */
export function chromiumPrinter(executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', timeoutMs = 60_000): PdfPrinter {
  return async (html) => {
    const dir = await mkdtemp(join(tmpdir(), 'failguard-pdf-'));
    try {
      const page = join(dir, 'report.html');
      const out = join(dir, 'report.pdf');
      await writeFile(page, html);
      const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        '--disable-extensions', '--no-pdf-header-footer', `--user-data-dir=${join(dir, 'profile')}`, `--print-to-pdf=${out}`, pathToFileURL(page).toString()];
      const code = await new Promise<number | string>((resolve) => {
        const child = spawn(executablePath, args, { stdio: 'ignore' });
        const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('timeout'); }, timeoutMs);
        child.on('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); resolve(e.code ?? 'error'); });
        child.on('exit', (c) => { clearTimeout(timer); resolve(c ?? 'killed'); });
      });
      const pdf = await readFile(out).catch(() => null);
      if (code !== 0 || !pdf || pdf.subarray(0, 5).toString() !== '%PDF-') {
        throw new UserError('no-chromium', code === 'ENOENT'
          ? `A PDF needs Chromium, which is not installed at ${executablePath}; install it (or set CHROMIUM_PATH), or write the report as HTML.`
          : `Chromium at ${executablePath} could not print the report; write it as HTML and print that, or check the Chromium installation.`);
      }
      return pdf;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
