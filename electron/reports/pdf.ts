/** PDF: the HTML report printed by Chromium (the same page the auditor would print). */
import { chromium } from 'playwright-core';
import { UserError } from '../../shared/errors.ts';

export async function htmlToPdf(html: string, executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'): Promise<Buffer> {
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  } catch (e) {
    throw new UserError('no-chromium', `A PDF needs Chromium, which could not be started at ${executablePath} (${(e as Error).message.split('\n')[0]}); install it or write the report as HTML.`);
  }
  try {
    const page = await browser.newPage();
    // The report has no external assets; nothing may be fetched while printing.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' } });
  } finally {
    await browser.close();
  }
}
