/** Writes a report in the chosen format. */
import { writeFile } from 'node:fs/promises';
import type { PreflightReport } from '../../shared/preflight.ts';
import { toHtml } from './html.ts';
import { toJUnit } from './junit.ts';
import { htmlToPdf } from './pdf.ts';

export type ReportFormat = 'html' | 'pdf' | 'json' | 'junit';

export async function renderReport(r: PreflightReport, format: ReportFormat): Promise<string | Buffer> {
  switch (format) {
    case 'json': return `${JSON.stringify(r, null, 2)}\n`;
    case 'junit': return toJUnit(r);
    case 'html': return toHtml(r);
    case 'pdf': return htmlToPdf(toHtml(r));
  }
}

export async function writeReport(r: PreflightReport, file: string, format: ReportFormat): Promise<void> {
  await writeFile(file, await renderReport(r, format));
}
