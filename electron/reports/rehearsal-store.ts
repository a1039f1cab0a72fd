/**
 * Rehearsal reports kept with their job: `<data>/jobs/<id>/rehearsals/<start>.json`, and the
 * same report as HTML beside it (an auditor opens it from the folder). Every one is kept; the
 * list reads them newest first, and a damaged file is left out (and left as it is).
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../shared/errors.ts';
import { rehearsalReportSchema, summaryOf, type RehearsalReport, type RehearsalSummary } from '../../shared/rehearsal-report.ts';
import { dataDir } from '../backend/data-dir.ts';
import { rehearsalHtml } from './rehearsal-html.ts';
import { htmlToPdf } from './pdf.ts';
import { writeFileAtomic } from '../backend/atomic-file.ts';

const folderOf = (jobId: string, base?: string) => join(base ?? dataDir(), 'jobs', jobId, 'rehearsals');
/** A file name from the start time: sortable, and safe on every file system (no colons). */
const nameOf = (r: RehearsalReport) => `${r.startedAt.replace(/[:.]/g, '-')}-${r.target.replace(/[^A-Za-z0-9_-]/g, '_')}`;
const NAME = /^\d{4}-\d\d-\d\dT[\d-]+Z-[A-Za-z0-9_-]+$/;

/** Keeps the report (JSON, the record; HTML beside it); returns the JSON file's path. */
export async function saveRehearsalReport(jobId: string, r: RehearsalReport, base?: string): Promise<string> {
  const dir = folderOf(jobId, base);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${nameOf(r)}.json`);
  await writeFileAtomic(join(dir, `${nameOf(r)}.html`), rehearsalHtml(r));
  await writeFileAtomic(file, `${JSON.stringify(r, null, 1)}\n`);
  return file;
}

/** Every kept report of the job (or the newest `limit`), newest first; one that does not read as a report is left out. */
export async function listRehearsalReports(jobId: string, base?: string, limit = Infinity): Promise<Array<{ name: string; report: RehearsalReport }>> {
  const dir = folderOf(jobId, base);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).filter((n) => NAME.test(n)).sort().reverse();
  const out: Array<{ name: string; report: RehearsalReport }> = [];
  for (const name of names) {
    if (out.length >= limit) break;
    const r = await readFile(join(dir, `${name}.json`), 'utf8').then((t) => rehearsalReportSchema.safeParse(JSON.parse(t)), () => null);
    if (r?.success) out.push({ name, report: r.data as RehearsalReport });
  }
  return out;
}

export async function rehearsalSummaries(jobId: string, base?: string, limit = Infinity): Promise<RehearsalSummary[]> {
  return (await listRehearsalReports(jobId, base, limit)).map((x) => summaryOf(x.name, x.report));
}

/** One kept report by its name (from the list), or the newest with `latest`. */
export async function readRehearsalReport(jobId: string, name: string | 'latest', base?: string): Promise<RehearsalReport> {
  if (name !== 'latest' && !NAME.test(name)) throw new UserError('bad-input', `${name} is not the name of a rehearsal report; list them with \`failguard rehearsals\`.`, { field: 'report' });
  const all = await listRehearsalReports(jobId, base);
  const found = name === 'latest' ? all[0] : all.find((x) => x.name === name);
  if (!found) throw new UserError('no-report', name === 'latest' ? 'This job has no rehearsal report yet; run a rehearsal first.' : `This job has no rehearsal report named ${name}.`, { field: 'report' });
  return found.report;
}

export type RehearsalFormat = 'json' | 'html' | 'pdf';

export async function renderRehearsalReport(r: RehearsalReport, format: RehearsalFormat): Promise<string | Buffer> {
  switch (format) {
    case 'json': return `${JSON.stringify(r, null, 2)}\n`;
    case 'html': return rehearsalHtml(r);
    case 'pdf': return htmlToPdf(rehearsalHtml(r));
  }
}
