import { useEffect } from 'react';
import { useAppStore } from './store-context.tsx';
import { RpoChart } from './RpoChart.tsx';
import { FailoverPanel } from './FailoverPanel.tsx';
import { RehearsalReports } from './RehearsalReports.tsx';
import { pointTime, type TargetView } from '../../../shared/replication.ts';
import { ageText, healthCheck, type TargetCheck } from '../../../shared/health-check.ts';
import { messages } from '../messages.ts';

const REFRESH_MS = 2000;

/** The live state of the saved job, read from its agents every two seconds: one card per target, and the RPO chart. */
export function Dashboard() {
  const s = useAppStore((x) => x);
  const refresh = useAppStore((x) => x.refreshLive);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh, s.activeJobId]);
  const m = messages.dashboard;
  const v = s.live.view;
  const job = s.jobs.find((j) => j.job.id === s.activeJobId)?.job;
  // Each standby against the job's thresholds, judged exactly as `failguard status --check` judges it.
  const health = job && v ? healthCheck(job, v) : null;
  return (
    <div className="dashboard" data-testid="dashboard">
      <h3>{job ? m.title(job.name, job.source.name, job.targets.map((t) => t.name)) : m.loading}</h3>
      {s.live.error ? <p className="error" role="alert">{s.live.error}</p> : null}
      {v ? (
        <>
          <div className="cards">{v.targets.map((t) => <TargetCard key={t.target} t={t} check={health?.targets.find((c) => c.target === t.target) ?? null} />)}</div>
          <RpoChart history={s.live.history} />
          <table className="agents">
            <thead><tr><th>{m.host}</th><th>{m.role}</th><th>{m.agent}</th></tr></thead>
            <tbody>{v.hosts.map((h) => <tr key={h.host} data-host={h.host} data-fence={h.fence ?? ''}><td>{h.host}</td><td>{h.role}{h.fence ? ` — ${m.fence[h.fence] ?? h.fence}` : ''}</td><td>{h.version ? `${m.running} ${h.version}` : <span className="error">{h.error}</span>}</td></tr>)}</tbody>
          </table>
          {job ? <FailoverPanel job={job} /> : null}
          {job ? <RehearsalReports job={job} /> : null}
          <section aria-labelledby="events-title">
            <h4 id="events-title">{m.events}</h4>
            {v.events.length ? <ul className="events small" data-testid="event-log">{v.events.map((e, i) => <li key={i}><time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time> <b>{e.host}</b> {e.text}</li>)}</ul> : <p className="muted small">{m.noEvents}</p>}
          </section>
          <p className="muted small">{m.updated(new Date(v.at).toLocaleTimeString())}</p>
        </>
      ) : <p className="muted">{m.loading}</p>}
    </div>
  );
}

/** A rate people can read at any size: kB/s below a megabyte a second. */
const mb = (n: number) => (n < 1e6 ? `${Math.round(n / 1e3)} kB/s` : `${(n / 1e6).toFixed(1)} MB/s`);

function TargetCard({ t, check }: { t: TargetView; check: TargetCheck | null }) {
  const m = messages.dashboard;
  const sync = t.initialSync;
  return (
    <div className={`card phase-${t.phase}${check ? ` health-${check.state.toLowerCase()}` : ''}`} data-testid={`target-${t.target}`} data-phase={t.phase} data-rpo={t.rpoSeconds ?? ''} data-health={check?.state ?? ''}>
      <h4>{t.target} <span className="phase">{m.phase[t.phase]}</span></h4>
      {sync ? (
        <div className="sync">
          <progress max={1} value={sync.share ?? 0} aria-label={m.initialSync} />
          <span>{sync.share === null ? m.initialSync : m.syncShare(sync.share, sync.etaSeconds)}</span>
        </div>
      ) : null}
      <dl>
        <dt>{m.rpo}</dt><dd data-testid={`rpo-${t.target}`}>{t.rpoSeconds === null ? m.none : m.seconds(t.rpoSeconds)}</dd>
        <dt>{m.throughput}</dt><dd>{t.bytesPerSecond === null ? m.none : mb(t.bytesPerSecond)}</dd>
        <dt>{m.compression}</dt><dd>{t.compressionRatio === null ? m.none : `${t.compressionRatio.toFixed(1)} : 1`}</dd>
        {check ? <><dt>{m.health}</dt><dd data-testid={`health-${t.target}`} data-state={check.state}>{m.healthState(check.state, ageText(check.warn), ageText(check.crit))}</dd></> : null}
        {t.tripwire ? <><dt>{m.tripwire}</dt><dd data-testid={`tripwire-${t.target}`} data-state={t.tripwire.state}>{m.tripwireState[t.tripwire.state]}</dd></> : null}
        <dt>{m.points}</dt><dd>{t.points}{t.held ? <span data-testid={`held-${t.target}`} data-held={t.held}> ({m.held(t.held)})</span> : null}</dd>
        {t.monitor ? <><dt>{m.monitor}</dt><dd data-testid={`monitor-${t.target}`} data-state={t.monitor.state}>{m.monitorState(t.monitor.state, t.monitor.countdownS, t.monitor.mode)}</dd></> : null}
        {t.monitor?.leaseHolder ? <><dt>{m.fencedStandby}</dt><dd data-testid={`lease-holder-${t.target}`}>{m.leaseHeldBy(t.monitor.leaseHolder)}</dd></> : null}
        {t.limitBytesPerSecond !== null ? <><dt>{m.limit}</dt><dd>{mb(t.limitBytesPerSecond)}</dd></> : null}
      </dl>
      {t.tripwire?.state === 'fired' ? <p className="error" role="alert" data-testid={`tripwire-fired-${t.target}`} data-last-clean={t.tripwire.lastClean ?? ''}>{m.tripwireFired(new Date(t.tripwire.firedAt ?? 0).toLocaleString(), t.tripwire.lastClean ? new Date(pointTime(t.tripwire.lastClean) ?? 0).toLocaleString() : null)}</p> : null}
      {t.lastError ? <p className="error small">{t.lastError}</p> : null}
    </div>
  );
}
