import { useAppStore } from './store-context.tsx';
import { Field } from './Field.tsx';
import { messages } from '../messages.ts';
import type { SshMethod } from '../store/preflight-slice.ts';

/** How Failguard reaches the servers over SSH, and which host is the witness. */
export function PreflightForm() {
  const s = useAppStore((x) => x);
  const m = messages.preflight;
  const servers = [s.source!, ...s.targets];
  const fqdn = (n: string) => s.topology?.servers.find((x) => x.name === n)?.fqdn ?? n;
  return (
    <form className="preflight-form" onSubmit={(e) => { e.preventDefault(); void s.runPreflight(); }} aria-label={messages.preflight.formLabel}>
      <fieldset disabled={s.preflight.running}>
        <Field id="sshUser" label={messages.preflight.sshUser}>
          <input id="sshUser" value={s.ssh.user} onChange={(e) => s.setSsh({ user: e.target.value })} />
        </Field>
        <Field id="sshMethod" label={m.sshMethod}>
          <select id="sshMethod" value={s.ssh.method} onChange={(e) => s.setSsh({ method: e.target.value as SshMethod, secret: '' })}>
            {(['key', 'agent', 'password'] as const).map((k) => <option key={k} value={k}>{m.sshMethods[k]}</option>)}
          </select>
        </Field>
        {s.ssh.method === 'key' ? (
          <Field id="keyFile" label={m.keyFile} hint={m.keyFileHint}>
            <input id="keyFile" value={s.ssh.keyFile} onChange={(e) => s.setSsh({ keyFile: e.target.value })} placeholder="/home/admin/.ssh/id_ed25519" />
          </Field>
        ) : null}
        {s.ssh.method !== 'agent' ? (
          <Field id="sshSecret" label={s.ssh.method === 'key' ? m.passphrase : m.password} hint={s.reopened?.sshSecretKept ? m.secretKept : s.ssh.method === 'key' ? m.passphraseHint : m.passwordHint}>
            <input id="sshSecret" type="password" autoComplete="off" value={s.ssh.secret} onChange={(e) => s.setSsh({ secret: e.target.value })} />
          </Field>
        ) : null}
        {servers.map((n) => (
          <Field key={n} id={`address-${n}`} label={`${n} ${n === s.source ? messages.preflight.sourceTag : messages.preflight.targetTag}`} hint={messages.preflight.addressHint}>
            <input id={`address-${n}`} value={s.ssh.addresses[n] ?? ''} placeholder={fqdn(n)} onChange={(e) => s.setAddress(n, e.target.value)} />
          </Field>
        ))}
        <Field id="witness" label={messages.preflight.witness} hint={messages.preflight.witnessHint}>
          <input id="witness" value={s.ssh.witness} onChange={(e) => s.setSsh({ witness: e.target.value })} placeholder="witness.corp.example.com" />
        </Field>
      </fieldset>
      {s.preflight.error ? <p className="error" role="alert" data-testid="preflight-error">{s.preflight.error}</p> : null}
      <div className="actions">
        {s.preflight.running ? (
          <>
            <span className="progress" data-testid="preflight-progress" aria-live="polite">{s.preflight.stage}</span>
            <button type="button" onClick={() => void s.cancelPreflight()}>{messages.cancel}</button>
          </>
        ) : (
          <button type="submit" className="primary">{s.preflight.result ? messages.preflight.runAgain : messages.preflight.run}</button>
        )}
      </div>
    </form>
  );
}
