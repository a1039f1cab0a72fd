import type { ReactNode } from 'react';
import { useDialog } from './use-dialog.ts';

/** A modal dialog: labelled by its title, focus inside while open, Escape does what its cancel button does. */
export function Modal({ labelledBy, testId, wide, onEscape, children, action }: { labelledBy: string; testId: string; wide?: boolean; onEscape: () => void; children: ReactNode; action?: string }) {
  const ref = useDialog<HTMLDivElement>(onEscape);
  return (
    <div className="dialog-backdrop">
      <div ref={ref} role="dialog" aria-modal="true" aria-labelledby={labelledBy} className={`dialog${wide ? ' wide' : ''}`} data-testid={testId} data-action={action}>
        {children}
      </div>
    </div>
  );
}
