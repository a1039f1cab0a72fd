import { useEffect, useRef } from 'react';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog as keyboard users expect it: focus moves into it (to the element marked
 * `data-autofocus`, else the first control), Tab stays inside, Escape closes it, and focus
 * goes back where it was when it closes.
 */
export function useDialog<T extends HTMLElement>(onEscape: () => void) {
  const ref = useRef<T>(null);
  const escape = useRef(onEscape);
  escape.current = onEscape;
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const before = document.activeElement as HTMLElement | null;
    const first = el.querySelector<HTMLElement>('[data-autofocus]') ?? el.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    // On the document, not the dialog: a control that disappears (a finished run's confirm field) leaves the focus on the page.
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') { e.preventDefault(); escape.current(); return; }
      if (e.key !== 'Tab') return;
      const all = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)];
      if (!all.length) return;
      const i = all.indexOf(document.activeElement as HTMLElement);
      if (i < 0) { e.preventDefault(); all[0]!.focus(); } else if (e.shiftKey && i === 0) { e.preventDefault(); all.at(-1)!.focus(); } else if (!e.shiftKey && i === all.length - 1) { e.preventDefault(); all[0]!.focus(); }
    };
    document.addEventListener('keydown', onKey);
    return () => { document.removeEventListener('keydown', onKey); before?.focus?.(); };
  }, []);
  return ref;
}
