import { useEffect, useState } from 'react';
import { useAppStore } from './store-context.tsx';
import { scheduleWords } from '../../../shared/rehearsal-schedule.ts';
import type { Job } from '../../../shared/job.ts';
import { messages } from '../messages.ts';
import { saveFile } from './save-file.ts';

type Format = 'html' | 'pdf' | 'json';

/** The job's past rehearsal reports, newest first, each to open as HTML, PDF or JSON; read again after each rehearsal. */
export function RehearsalReports({ job }: { job: Job }) {
  const s = useAppStore((x) => x);
  const m = messages.rehearsals;
  const { loadRehearsals } = s;
  const [format, setFormat] = useState<Format>('html');
  const finished = s.failover.results;
  useEffect(() => { void loadRehearsals(); }, [loadRehearsals, s.activeJobId, finished]);
  const r = s.rehearsals.jobId === job.id ? s.rehearsals : { list: [], error: null };
  const download = async (name: string) => {
    const file = await s.exportRehearsal(name, format);
    if (file) saveFile(file);
  };
  return (
    <section aria-labelledby="rehearsals-title" data-testid="rehearsal-reports">
      <h4 id="rehearsals-title">{m.title}</h4>
      <p className="muted small">{m.schedule(scheduleWords(job.rehearsals))}</p>
      {r.error ? <p className="error" role="alert">{r.error}</p> : null}
      {r.list.length === 0 ? <p className="muted small">{m.none}</p> : (
        <>
          <label className="small">{m.format} <select value={format} onChange={(e) => setFormat(e.target.value as Format)}>{(['html', 'pdf', 'json'] as const).map((f) => <option key={f} value={f}>{f.toUpperCase()}</option>)}</select></label>
          <table className="rehearsal-reports small">
            <thead><tr><th scope="col">{m.when}</th><th scope="col">{m.target}</th><th scope="col">{m.how}</th><th scope="col">{m.outcome}</th><th scope="col">{m.pointAge}</th><th scope="col">{m.service}</th><th scope="col"><span className="sr-only">{m.open}</span></th></tr></thead>
            <tbody>{r.list.map((x) => (
              <tr key={x.file} data-report={x.file} data-outcome={x.outcome}>
                <td>{new Date(x.startedAt).toLocaleString()}</td><td>{x.target}</td><td>{m.trigger[x.trigger]}</td>
                <td className={`rehearsal-${x.outcome}`}>{m.outcomes[x.outcome]}</td>
                <td>{x.pointAgeSeconds === null ? '—' : m.seconds(x.pointAgeSeconds)}</td><td>{x.timeToServiceSeconds === null ? '—' : m.seconds(x.timeToServiceSeconds)}</td>
                <td><button type="button" data-testid="rehearsal-report-open" onClick={() => void download(x.file)}>{m.download}</button></td>
              </tr>
            ))}</tbody>
          </table>
        </>
      )}
    </section>
  );
}
