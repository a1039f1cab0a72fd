import { useAppStore } from './store-context.tsx';
import { Field } from './Field.tsx';
import { messages } from '../messages.ts';

/** How Failguard reaches the servers over SSH, and which host is the witness. */
export function PreflightForm() {
  const s = useAppStore((x) => x);
  const servers = [s.source!, ...s.targets];
  const fqdn = (n: string) => s.topology?.servers.find((x) => x.name === n)?.fqdn ?? n;
  return (
    <form className="preflight-form" onSubmit={(e) => { e.preventDefault(); void s.runPreflight(); }} aria-label={messages.preflight.formLabel}>
      <fieldset disabled={s.preflight.running}>
        <Field id="sshUser" label={messages.preflight.sshUser}>
          <input id="sshUser" value={s.ssh.user} onChange={(e) => s.setSsh({ user: e.target.value })} />
        </Field>
        <Field id="keyFile" label={messages.preflight.keyFile} hint={messages.preflight.keyFileHint}>
          <input id="keyFile" value={s.ssh.keyFile} onChange={(e) => s.setSsh({ keyFile: e.target.value })} placeholder="/home/admin/.ssh/id_ed25519" />
        </Field>
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
