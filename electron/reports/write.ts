/** Renders a report in the chosen format, and writes it to a file the caller checked before the run. */
import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { PreflightReport, ReportFormat } from '../../shared/preflight.ts';
import { plainMessage, UserError } from '../../shared/errors.ts';
import { toHtml } from './html.ts';
import { toJUnit } from './junit.ts';
import { htmlToPdf } from './pdf.ts';

export async function renderReport(r: PreflightReport, format: ReportFormat): Promise<string | Buffer> {
  switch (format) {
    case 'json': return `${JSON.stringify(r, null, 2)}\n`;
    case 'junit': return toJUnit(r);
    case 'html': return toHtml(r);
    case 'pdf': return htmlToPdf(toHtml(r));
  }
}

/** Refuses, before any work, a report path whose folder does not exist or cannot be written, or that is a folder. */
export async function checkReportPath(file: string): Promise<void> {
  const folder = dirname(resolve(file));
  const st = await stat(folder).catch(() => null);
  if (!st?.isDirectory()) throw new UserError('bad-input', `The folder ${folder} for the report does not exist; create it or choose another path.`, { field: 'report' });
  await access(folder, constants.W_OK).catch(() => { throw new UserError('bad-input', `Failguard may not write into ${folder}; choose another folder for the report.`, { field: 'report' }); });
  if ((await stat(file).catch(() => null))?.isDirectory()) throw new UserError('bad-input', `${file} is a folder; give a file name for the report.`, { field: 'report' });
}

export async function writeReport(r: PreflightReport, file: string, format: ReportFormat): Promise<void> {
  const body = await renderReport(r, format);
  await writeFile(file, body).catch((e: unknown) => { throw new UserError('report-not-written', `The report could not be written: ${plainMessage(e)}`, { field: 'report' }); });
}
