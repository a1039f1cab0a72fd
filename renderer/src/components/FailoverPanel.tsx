import { useAppStore } from './store-context.tsx';
import { describeStep } from '../../../shared/plan.ts';
import type { FailoverAction } from '../../../shared/protect.ts';
import type { Job } from '../../../shared/job.ts';
import { confirmed, keysOf, takesPoint } from '../store/failover-slice.ts';
import { choiceWords, choosePoint, formatBytes } from '../../../shared/point-choice.ts';
import { messages } from '../messages.ts';
import { Modal } from './Modal.tsx';

const ACTIONS: FailoverAction[] = ['failover', 'switchover', 'failback', 'rehearsal'];

/** The job's failover actions, one row per standby; each opens its plan (nothing runs until it is confirmed by typing). */
export function FailoverPanel({ job }: { job: Job }) {
  const open = useAppStore((x) => x.openFailover);
  const view = useAppStore((x) => x.live.view);
  const m = messages.failover;
  return (
    <section className="failover" aria-labelledby="failover-title">
      <h4 id="failover-title">{m.title}</h4>
      <p className="muted small">{m.intro}</p>
      {job.targets.map((t) => (
        <div key={t.name} className="actions" data-testid={`failover-actions-${t.name}`}>
          <span>{m.target} {t.name}:</span>
          {ACTIONS.map((a) => <button key={a} type="button" data-action={a} title={m.actions[a]!.what(t.name, job.source.name)} onClick={() => void open(a, t.name)}>{m.actions[a]!.label}</button>)}
          {/* Only where something is held: releasing is the one way a held point is pruned again. */}
          {(view?.targets.find((x) => x.target === t.name)?.held ?? 0) > 0 ? <button type="button" data-action="release" title={m.actions.release!.what(t.name, job.source.name)} onClick={() => void open('release', t.name)}>{m.actions.release!.label}</button> : null}
        </div>
      ))}
      <FailoverDialog job={job} />
    </section>
  );
}

function FailoverDialog({ job }: { job: Job }) {
  const s = useAppStore((x) => x);
  const f = s.failover;
  const m = messages.failover;
  if (!f.action || !f.target) return null;
  const ok = confirmed(s);
  const results = f.results?.[0];
  return (
    <Modal labelledBy="failover-dialog-title" testId="failover-dialog" wide action={f.action} onEscape={() => { if (!f.busy) s.closeFailover(); }}>
        <h3 id="failover-dialog-title">{m.actions[f.action]!.label}: {f.target}</h3>
        <p>{m.actions[f.action]!.what(f.target, job.source.name)}</p>
        {takesPoint(f.action) && !results ? <PointPicker /> : null}
        {f.busy === 'planning' ? <p className="muted" aria-live="polite">{m.planning} {f.stage}</p> : null}
        {f.error ? <p className="error" role="alert">{f.error}</p> : null}
        {f.plan ? (
          <>
            {f.notes.map((n, i) => <p key={i} className="notice small" data-testid="failover-note">{n}</p>)}
            <p><b>{f.plan.title}</b></p>
            <ol data-testid="failover-plan" data-plan-id={f.plan.id}>{f.plan.steps.map((st, i) => {
              const v = describeStep(st);
              // The run's result is final; a progress event can arrive after it (or not at all), so it wins.
              const state = results?.steps.filter((r) => r.index === i).at(-1)?.status ?? f.steps[i];
              return <li key={i} data-step-state={state ?? 'pending'}>{st.description} {state ? <b className={`step-${state}`}>({m.step[state] ?? state})</b> : null}<br /><code>{v.where}: {v.action}</code></li>;
            })}</ol>
            {results ? <p className={results.outcome === 'applied' ? 'ok' : 'error'} role="status" data-testid="failover-outcome" data-outcome={results.outcome}>{results.outcome === 'applied' ? m.done : results.error}</p> : null}
            {!results ? keysOf(s).map((k) => (
              <label key={k} className="field">{m.dnsSecret(k)}
                <input type="password" data-testid={`dns-secret-${k}`} value={f.dnsSecrets[k] ?? ''} disabled={!!f.busy} autoComplete="off" onChange={(e) => s.setDnsSecret(k, e.target.value)} />
              </label>
            )) : null}
            {!results ? (
              <label className="field">{m.confirm(f.target)}
                <input data-testid="failover-confirm" autoFocus value={f.typed} disabled={!!f.busy} autoComplete="off" onChange={(e) => s.typeFailoverConfirmation(e.target.value)} />
              </label>
            ) : null}
            {f.busy === 'applying' ? <p className="muted" aria-live="polite">{f.stage}</p> : null}
          </>
        ) : null}
        <div className="actions">
          <button type="button" disabled={!!f.busy} autoFocus={!!results} key={results ? 'close' : 'cancel'} onClick={s.closeFailover}>{results ? m.close : m.cancel}</button>
          {f.plan && !results ? <button type="button" className="primary" data-testid="failover-apply" disabled={!ok || !!f.busy} onClick={() => void s.applyFailover()}>{m.apply}</button> : null}
        </div>
    </Modal>
  );
}

/** The point a failover, switchover or rehearsal brings up: the newest, or an older one, with what stays aside said plainly. */
function PointPicker() {
  const s = useAppStore((x) => x);
  const f = s.failover;
  const m = messages.failover;
  if (!f.points) return <p className="muted small" aria-live="polite">{m.pointsLoading}</p>;
  const rows = [...f.points].reverse();
  const chosen = f.point ? f.points.find((r) => r.point === f.point) ?? null : null;
  const choice = f.points.length ? choosePoint(f.target!, f.points, chosen ? chosen.at : null) : null;
  return (
    <div className="field">
      <label htmlFor="failover-point">{m.point}</label>
      <select id="failover-point" data-testid="failover-point" value={f.point ?? ''} disabled={!!f.busy} aria-describedby="failover-point-hint" onChange={(e) => void s.chooseFailoverPoint(e.target.value || null)}>
        <option value="">{m.pointNewest}</option>
        {rows.slice(1).map((r) => <option key={r.point} value={r.point} data-clean={r.point === f.lastClean ? 'yes' : undefined}>{m.pointOption(new Date(r.at).toLocaleString(), r.bytes === null ? null : formatBytes(r.bytes), !!r.held, r.point === f.lastClean)}</option>)}
      </select>
      {f.lastClean && f.point !== f.lastClean && f.points.some((r) => r.point === f.lastClean) ? <button type="button" data-testid="use-last-clean" disabled={!!f.busy} onClick={() => void s.chooseFailoverPoint(f.lastClean)}>{m.useLastClean}</button> : null}
      <small id="failover-point-hint" className="hint">{m.pointHint}</small>
      {choice ? <p className="small" data-testid="failover-point-choice" data-point={choice.point} data-newer={choice.newer}>{choiceWords(choice, f.action !== 'rehearsal')}</p> : null}
    </div>
  );
}

