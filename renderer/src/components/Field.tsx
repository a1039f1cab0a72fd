import type { ReactNode } from 'react';

/** A labelled input with its error right beside it. */
export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string | undefined; hint?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error ? <small className="hint">{hint}</small> : null}
      {error ? <small className="field-error" role="alert" data-testid={`error-${id}`}>{error}</small> : null}
    </div>
  );
}
