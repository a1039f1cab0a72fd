import type { FormEvent } from 'react';
import { useAppStore } from './store-context.tsx';
import { Field } from './Field.tsx';
import { messages } from '../messages.ts';

/** Where Active Directory is and who signs in. */
export function DirectoryForm() {
  const s = useAppStore((x) => x);
  const { form, discovery } = s;
  const e = discovery.errors;
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    void s.connect();
  };
  const readCa = (file: File | undefined) => {
    if (!file) return s.setCa(null, null);
    void file.text().then((text) => s.setCa(file.name, text));
  };
  return (
    <form className="directory-form" onSubmit={submit} aria-label={messages.servers.formLabel}>
      <fieldset disabled={discovery.running}>
        <div className="mode" role="radiogroup" aria-label={messages.servers.modeLabel}>
          <label><input type="radio" name="mode" checked={form.mode === 'domain'} onChange={() => s.setField('mode', 'domain')} /> {messages.servers.byDomain}</label>
          <label><input type="radio" name="mode" checked={form.mode === 'url'} onChange={() => s.setField('mode', 'url')} /> {messages.servers.byDc}</label>
        </div>
        {form.mode === 'domain' ? (
          <Field id="domain" label={messages.servers.domain} error={e.domain} hint={messages.servers.domainHint}>
            <input id="domain" value={form.domain} onChange={(x) => s.setField('domain', x.target.value)} placeholder="corp.example.com" autoComplete="off" />
          </Field>
        ) : (
          <Field id="url" label={messages.servers.dc} error={e.url} hint={messages.servers.dcHint}>
            <input id="url" value={form.url} onChange={(x) => s.setField('url', x.target.value)} placeholder="ldaps://dc1.corp.example.com" autoComplete="off" />
          </Field>
        )}
        <Field id="dnsServer" label={messages.servers.dnsServer} error={e.dnsServer} hint={messages.servers.dnsHint}>
          <input id="dnsServer" value={form.dnsServer} onChange={(x) => s.setField('dnsServer', x.target.value)} placeholder="10.0.0.10" autoComplete="off" />
        </Field>
        <Field id="username" label={messages.servers.username} error={e.username} hint={messages.servers.usernameHint}>
          <input id="username" value={form.username} onChange={(x) => s.setField('username', x.target.value)} autoComplete="username" />
        </Field>
        <Field id="password" label={messages.servers.password} error={e.password}>
          <input id="password" type="password" value={form.password} onChange={(x) => s.setField('password', x.target.value)} autoComplete="current-password" />
        </Field>
        <Field id="ca" label={messages.servers.ca} error={e.ca} hint={s.caName ? `${messages.servers.caLoaded} ${s.caName}` : messages.servers.caHint}>
          <input id="ca" type="file" accept=".pem,.crt,.cer" onChange={(x) => readCa(x.target.files?.[0])} />
        </Field>
      </fieldset>
      {e.form ? <p className="error" role="alert" data-testid="error-form">{e.form}</p> : null}
      <div className="actions">
        {discovery.running ? (
          <>
            <span className="progress" data-testid="progress" aria-live="polite">{discovery.stage}{discovery.total ? ` (${discovery.done}/${discovery.total})` : ''}</span>
            <button type="button" onClick={() => void s.cancelDiscovery()}>{messages.cancel}</button>
          </>
        ) : (
          <button type="submit" className="primary" onClick={submit}>{messages.servers.connect}</button>
        )}
      </div>
    </form>
  );
}
