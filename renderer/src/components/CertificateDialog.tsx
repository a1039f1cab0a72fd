import { useAppStore } from './store-context.tsx';
import { messages } from '../messages.ts';
import { Modal } from './Modal.tsx';

/** "Trust this certificate?": shown when the DC's certificate is from a CA nothing here trusts. */
export function CertificateDialog() {
  const cert = useAppStore((s) => s.discovery.pendingCertificate);
  const trust = useAppStore((s) => s.trustPendingCertificate);
  const reject = useAppStore((s) => s.rejectPendingCertificate);
  if (!cert) return null;
  const rows: Array<[string, string]> = [
    [messages.cert.host, cert.host], [messages.cert.subject, cert.subject], [messages.cert.issuer, cert.issuer],
    [messages.cert.names, cert.subjectAltNames.join(', ') || '—'], [messages.cert.valid, `${cert.validFrom.slice(0, 10)} – ${cert.validTo.slice(0, 10)}`],
    [messages.cert.fingerprint, cert.fingerprint256],
  ];
  return (
    <Modal labelledBy="cert-title" testId="certificate-dialog" onEscape={reject}>
        <h3 id="cert-title">{messages.cert.title}</h3>
        <p>{messages.cert.explain}</p>
        <dl className="cert">{rows.map(([k, v]) => [<dt key={`${k}-t`}>{k}</dt>, <dd key={`${k}-d`} data-testid={`cert-${k}`}>{v}</dd>])}</dl>
        <p className="muted">{messages.cert.pinNote}</p>
        <div className="actions">
          <button type="button" onClick={reject}>{messages.cert.reject}</button>
          <button type="button" className="primary" data-autofocus onClick={() => void trust()}>{messages.cert.trust}</button>
        </div>
    </Modal>
  );
}
