import { useAppStore } from './store-context.tsx';
import { ALERT_KINDS, checkAlerts, secretsNeeded, type AlertDraft, type AlertKind } from '../store/alert-options.ts';
import type { AlertSecrets } from '../../../shared/alerts.ts';
import { messages } from '../messages.ts';

/** Step 3: where alerts go (failovers, a lost source, fencing), with the secrets they need asked once and kept encrypted. */
export function AlertOptions() {
  const s = useAppStore((x) => x);
  const m = messages.alertOptions;
  const check = checkAlerts(s.alertDrafts);
  const problem = (i: number, field: string) => (check.ok ? undefined : check.problems[`alerts[${i}].${field}`]);
  const needed = check.ok ? secretsNeeded(check.alerts) : [];
  const kept = s.jobs.find((j) => j.job.id === s.jobId)?.kept?.alerts ?? false;
  return (
    <fieldset className="alert-options" data-testid="alert-options">
      <legend>{m.title}</legend>
      <p className="hint">{m.intro}</p>
      {s.alertDrafts.map((a, i) => (
        <div key={i} className="alert-row" data-testid={`alert-${i}`} role="group" aria-label={m.receiver(i + 1)}>
          <label>{m.kind}
            <select value={a.kind} onChange={(e) => s.setAlert(i, { kind: e.target.value as AlertKind })}>
              {ALERT_KINDS.map((k) => <option key={k} value={k}>{m.kindName[k]}</option>)}
            </select>
          </label>
          {text(s, i, a, 'host', m.host, problem(i, 'host'))}
          {text(s, i, a, 'port', m.port, problem(i, 'port'), 'numeric')}
          {a.kind === 'smtp' ? <>{text(s, i, a, 'from', m.from, problem(i, 'from'))}{text(s, i, a, 'to', m.to, problem(i, 'to') ?? problem(i, 'to[0]'))}{text(s, i, a, 'username', m.username, problem(i, 'username'))}</> : null}
          {a.kind === 'syslog' ? (
            <label>{m.transport}
              <select value={a.transport} onChange={(e) => s.setAlert(i, { transport: e.target.value as 'udp' | 'tcp' })}><option value="udp">UDP</option><option value="tcp">TCP</option></select>
            </label>
          ) : null}
          {a.kind === 'snmp-v3' ? <>{text(s, i, a, 'user', m.user, problem(i, 'user'))}{text(s, i, a, 'engineId', m.engineId, problem(i, 'engineId'))}</> : null}
          <button type="button" onClick={() => s.removeAlert(i)}>{m.remove}<span className="sr-only"> {m.receiver(i + 1)}</span></button>
        </div>
      ))}
      {s.alertDrafts.length === 0 ? <p className="hint">{m.none}</p> : null}
      <button type="button" data-testid="add-alert" onClick={() => s.addAlert()}>{m.add}</button>
      {needed.length ? (
        <div className="secrets" data-testid="alert-secrets">
          <p className="hint">{kept ? m.secretsKept : m.secretsHint}</p>
          {needed.map((k) => (
            <label key={k}>{m.secret[k]}
              <input type="password" autoComplete="off" value={s.alertSecrets[k] ?? ''} onChange={(e) => s.setAlertSecret(k as keyof AlertSecrets, e.target.value)} />
            </label>
          ))}
        </div>
      ) : null}
    </fieldset>
  );
}

type TextKey = 'host' | 'port' | 'from' | 'to' | 'username' | 'user' | 'engineId';

function text(s: { setAlert(i: number, p: Partial<AlertDraft>): void }, i: number, a: AlertDraft, key: TextKey, label: string, error: string | undefined, inputMode?: 'numeric') {
  const id = `alert-${i}-${key}`;
  return (
    <span className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} value={a[key]} inputMode={inputMode} aria-invalid={!!error} aria-describedby={error ? `${id}-error` : undefined} onChange={(e) => s.setAlert(i, { [key]: e.target.value })} />
      {error ? <small className="field-error" id={`${id}-error`} role="alert">{error}</small> : null}
    </span>
  );
}
