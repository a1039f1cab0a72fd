import { useAppStore } from './store-context.tsx';
import { Field } from './Field.tsx';
import { checkFailover } from '../store/failover-options.ts';
import { FAILOVER_RECORD_TYPES, type FailoverRecordType } from '../../../shared/dns-record.ts';
import { messages } from '../messages.ts';

/** Step 3: what happens when the source is lost — the mode, the services, the DNS records a failover repoints. */
export function FailoverOptions() {
  const s = useAppStore((x) => x);
  const d = s.failoverDraft;
  const m = messages.failoverOptions;
  const check = checkFailover(d);
  const keys = [...new Set(d.dns.map((r) => r.key.trim()).filter(Boolean))];
  const problem = (field: string) => (check.ok ? undefined : check.problems[field]);
  return (
    <fieldset className="failover-options" data-testid="failover-options">
      <legend>{m.title}</legend>
      <div className="field" role="radiogroup" aria-labelledby="failover-mode-label">
        <span className="label" id="failover-mode-label">{m.mode}</span>
        <div className="choices">
          {(['alert', 'automatic'] as const).map((mode) => (
            <label key={mode}><input type="radio" name="failover-mode" value={mode} checked={d.mode === mode} onChange={() => s.setFailoverDraft({ mode })} /> {m.modeName[mode]}</label>
          ))}
        </div>
        <small className="hint">{m.modeHint[d.mode]}</small>
      </div>
      <div className="grid2">
        <Field id="failover-timeout" label={m.timeout} hint={m.timeoutHint} error={problem('timeoutSeconds')}>
          <input id="failover-timeout" inputMode="numeric" value={d.timeoutSeconds} onChange={(e) => s.setFailoverDraft({ timeoutSeconds: e.target.value })} />
        </Field>
        <Field id="failover-services" label={m.services} hint={m.servicesHint} error={problem('services') ?? Object.entries(check.ok ? {} : check.problems).find(([k]) => k.startsWith('services['))?.[1]}>
          <input id="failover-services" value={d.services} onChange={(e) => s.setFailoverDraft({ services: e.target.value })} />
        </Field>
      </div>
      <h4>{m.dns}</h4>
      <p className="hint">{m.dnsHint}</p>
      {d.dns.length ? (
        <table className="dns-records">
          <thead><tr><th scope="col">{m.zone}</th><th scope="col">{m.name}</th><th scope="col">{m.type}</th><th scope="col">{m.ttl}</th><th scope="col">{m.server}</th><th scope="col">{m.key}</th><th scope="col"><span className="sr-only">{m.remove}</span></th></tr></thead>
          <tbody>
            {d.dns.map((r, i) => {
              const f = (k: string) => problem(`dns[${i}].${k}`);
              const cell = (k: 'zone' | 'name' | 'ttl' | 'server' | 'key', label: string, error: string | undefined, placeholder = '') => (
                <td className={error ? 'has-error' : undefined}>
                  <input aria-label={`${label} ${i + 1}`} aria-invalid={!!error} title={error} value={r[k]} placeholder={placeholder} onChange={(e) => s.setDnsRecord(i, { [k]: e.target.value })} />
                  {error ? <small className="field-error" role="alert">{error}</small> : null}
                </td>
              );
              return (
                <tr key={i} data-testid={`dns-record-${i}`}>
                  {cell('zone', m.zone, f('zone'))}
                  {cell('name', m.name, f('name'), '@')}
                  <td>
                    <select aria-label={`${m.type} ${i + 1}`} value={r.type} onChange={(e) => s.setDnsRecord(i, { type: e.target.value as FailoverRecordType })}>
                      {FAILOVER_RECORD_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
                    </select>
                  </td>
                  {cell('ttl', m.ttl, f('ttl'))}
                  {cell('server', m.server, f('server'), m.inAd)}
                  {cell('key', m.key, f('server.key'))}
                  <td><button type="button" onClick={() => s.removeDnsRecord(i)}>{m.remove}</button></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : <p className="hint">{m.noDns}</p>}
      <button type="button" data-testid="add-dns-record" onClick={() => s.addDnsRecord()}>{m.addDns}</button>
      {keys.length && d.mode === 'automatic' ? (
        <div className="secrets" data-testid="tsig-secrets">
          <p className="hint">{m.tsigHint}</p>
          {keys.map((k) => (
            <label key={k}>{m.tsigSecret(k)}
              <input type="password" autoComplete="off" value={s.tsigSecrets[k] ?? ''} onChange={(e) => s.setTsigSecret(k, e.target.value.trim())} />
            </label>
          ))}
        </div>
      ) : null}
    </fieldset>
  );
}
