/** A saved job's kept rehearsal reports behind the contract: the list, and one rendered as JSON, HTML or PDF. */
import type { Handlers } from './handler-types.ts';
import { loadJob } from '../jobs/job-store.ts';
import { readRehearsalReport, rehearsalSummaries, renderRehearsalReport } from '../reports/rehearsal-store.ts';

type RehearsalHandlers = Pick<Handlers, 'jobs.rehearsals' | 'jobs.rehearsalReport'>;

const MIME = { json: 'application/json', html: 'text/html', pdf: 'application/pdf' } as const;

export function rehearsalHandlers(): RehearsalHandlers {
  return {
    'jobs.rehearsals': async (r) => {
      await loadJob(r.jobId);
      return rehearsalSummaries(r.jobId);
    },
    'jobs.rehearsalReport': async (r) => {
      await loadJob(r.jobId);
      const body = await renderRehearsalReport(await readRehearsalReport(r.jobId, r.name), r.format);
      return { fileName: `failguard-rehearsal-${r.name}.${r.format}`, mimeType: MIME[r.format], content: Buffer.isBuffer(body) ? body.toString('base64') : body, encoding: Buffer.isBuffer(body) ? 'base64' as const : 'utf8' as const };
    },
  };
}
