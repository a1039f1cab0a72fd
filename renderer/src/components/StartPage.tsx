import { useEffect } from 'react';
import { useAppStore } from './store-context.tsx';
import type { SavedJob } from '../../../shared/protect.ts';
import type { ReplicationView } from '../../../shared/replication.ts';
import { healthCheck } from '../../../shared/health-check.ts';
import { scheduleWords } from '../../../shared/rehearsal-schedule.ts';
import { messages } from '../messages.ts';

/** The start page: a new protection, a pre-flight audit only, or a saved job with its state (open its dashboard, or reconfigure it). */
export function StartPage() {
  const s = useAppStore((x) => x);
  const m = messages.start;
  const { loadSummaries } = s;
  const ids = s.jobs.map((j) => j.job.id).join(',');
  useEffect(() => { if (ids) void loadSummaries(); }, [ids, loadSummaries]);
  return (
    <main className="start" data-testid="start-page" aria-labelledby="start-title">
      <h2 id="start-title">{m.title}</h2>
      <p>{m.intro}</p>
      <div className="start-choices">
        <button type="button" className="primary" data-testid="start-new" onClick={() => s.startNew('protect')}>
          <strong>{m.newProtection}</strong><span>{m.newProtectionWhat}</span>
        </button>
        <button type="button" data-testid="start-audit" onClick={() => s.startNew('audit')}>
          <strong>{m.audit}</strong><span>{m.auditWhat}</span>
        </button>
      </div>
      <section aria-labelledby="saved-title">
        <h3 id="saved-title">{m.saved}</h3>
        {s.info ? <p className="muted small" data-testid="secrets-how">{m.secrets(s.info.secrets.how)}</p> : null}
        {s.jobs.length === 0 ? <p className="muted">{m.noSaved}</p> : (
          <table className="saved-jobs" data-testid="saved-jobs">
            <thead><tr><th scope="col">{m.col.job}</th><th scope="col">{m.col.state}</th><th scope="col">{m.col.health}</th><th scope="col">{m.col.rpo}</th><th scope="col">{m.col.monitor}</th><th scope="col">{m.col.last}</th><th scope="col">{m.col.rehearsal}</th><th scope="col"><span className="sr-only">{m.col.actions}</span></th></tr></thead>
            <tbody>{s.jobs.map((j, i) => <SavedJobRow key={j.job.id} saved={j} last={i === 0 && !!j.openedAt} summary={s.summaries[j.job.id]} />)}</tbody>
          </table>
        )}
      </section>
    </main>
  );
}

/** One saved job: whether its agents run, the oldest newest copy (RPO), what the monitors say, and the last failover action. */
function SavedJobRow({ saved, summary, last }: { saved: SavedJob; last: boolean; summary: { view: ReplicationView | null; error: string | null } | undefined }) {
  const s = useAppStore((x) => x);
  const m = messages.start;
  const j = saved.job;
  const v = summary?.view ?? null;
  const running = v ? v.hosts.filter((h) => h.version).length : 0;
  const state = !summary ? 'reading' : !v ? 'unreachable' : running === v.hosts.length ? 'protected' : 'degraded';
  const rpos = v?.targets.map((t) => t.rpoSeconds).filter((x): x is number => x !== null) ?? [];
  const monitors = [...new Set(v?.targets.map((t) => t.monitor?.state).filter(Boolean) ?? [])];
  // The job's health as `status --check` says it: the worst standby against the thresholds, and why.
  const health = v ? healthCheck(j, v) : null;
  return (
    <tr data-job={j.id} data-state={state}>
      <th scope="row">{j.name}{last ? <span className="badge" data-testid="last-opened">{m.lastOpened}</span> : null}<div className="muted small">{j.source.name} → {j.targets.map((t) => t.name).join(', ')}</div></th>
      <td>{m.state[state]}{v && state === 'degraded' ? ` (${running}/${v.hosts.length})` : ''}{summary?.error ? <div className="muted small">{summary.error}</div> : null}</td>
      <td data-testid="saved-health" data-state={health?.state ?? ''} className={health ? `health-${health.state.toLowerCase()}` : ''}>{health ? <>{m.health[health.state]}{health.state !== 'OK' ? <div className="muted small">{health.targets.filter((t) => t.state !== 'OK').map((t) => t.why).join('; ')}</div> : null}</> : '—'}</td>
      <td data-testid="saved-rpo">{rpos.length ? m.rpo(Math.max(...rpos)) : '—'}</td>
      <td>{monitors.length ? monitors.map((x) => m.monitor[x as string] ?? x).join(', ') : '—'}</td>
      <td>{saved.lastAction ? m.lastAction(saved.lastAction.action, saved.lastAction.target, new Date(saved.lastAction.at).toLocaleString(), saved.lastAction.outcome) : m.never}</td>
      <RehearsalCell saved={saved} />
      <td className="row-actions">
        <button type="button" data-testid="open-dashboard" onClick={() => void s.showJob(j.id)}>{m.dashboard}</button>
        <button type="button" data-testid="reconfigure" onClick={() => void s.reconfigure(j.id)}>{m.reconfigure}</button>
      </td>
    </tr>
  );
}

/** The last rehearsal and its verdict; a scheduled slot that waited over an hour is flagged overdue. */
function RehearsalCell({ saved }: { saved: SavedJob }) {
  const m = messages.start;
  const r = saved.rehearsal;
  const last = r?.last ?? null;
  const schedule = saved.job.rehearsals;
  return (
    <td data-testid="saved-rehearsal" data-outcome={last?.outcome ?? ''} data-overdue={r?.due.overdue ? 'yes' : 'no'}>
      {last ? <span className={`rehearsal-${last.outcome}`}>{m.lastRehearsal(new Date(last.startedAt).toLocaleString(), m.rehearsalOutcome[last.outcome] ?? last.outcome, last.target)}</span> : m.neverRehearsed}
      {r?.due.overdue && r.due.dueSince ? <div className="badge warn" data-testid="rehearsal-overdue">{m.overdue(new Date(r.due.dueSince).toLocaleString())}</div> : null}
      {schedule.every !== 'off' && r?.due.next && !r.due.overdue ? <div className="muted small">{m.nextRehearsal(scheduleWords(schedule), new Date(r.due.next).toLocaleString())}</div> : null}
    </td>
  );
}
