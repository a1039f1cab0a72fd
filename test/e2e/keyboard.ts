/**
 * Keyboard only, checked in the served page: from the top of the page (or of an open dialog),
 * Tab reaches every visible, enabled control, and each one shows a focus ring when it gets
 * there. A radio group counts as reached when one of its radios is (arrows move within it).
 */
import type { Page } from 'playwright-core';

export interface KeyboardGaps {
  /** Controls Tab never reached, by a short description. */
  unreachable: string[];
  /** Controls reached without a visible focus indicator. */
  noRing: string[];
}

type El = {
  tagName: string; id: string; type?: string; name?: string; disabled?: boolean; textContent: string | null;
  getAttribute(n: string): string | null; setAttribute(n: string, v: string): void; closest(s: string): unknown;
  getClientRects(): { length: number }; blur(): void;
  /** False inside a closed <details> too (its content is skipped, though it still has boxes). */
  checkVisibility(o?: { visibilityProperty?: boolean }): boolean;
};
type Win = {
  document: { body: El; activeElement: El | null; querySelector(s: string): El | null };
  getComputedStyle(e: El): { visibility: string; outlineStyle: string; outlineWidth: string; boxShadow: string };
};

const CONTROLS = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';

export async function keyboardGaps(page: Page, scope?: string): Promise<KeyboardGaps> {
  const count = await page.evaluate(({ scope, sel }) => {
    const w = globalThis as unknown as Win;
    const root = (scope ? w.document.querySelector(scope) : w.document.body) as unknown as { querySelectorAll(s: string): Iterable<El> };
    const all = [...root.querySelectorAll(sel)].filter((e) => !e.disabled && e.getAttribute('tabindex') !== '-1' && e.checkVisibility({ visibilityProperty: true }) && !e.closest('[inert]'));
    all.forEach((e, i) => e.setAttribute('data-kb', `${i}|${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.getAttribute('data-testid') ? `[${e.getAttribute('data-testid')}]` : ''} ${(e.textContent ?? '').trim().slice(0, 30)}${e.type === 'radio' ? `|radio:${e.name ?? ''}` : ''}`));
    // Where focus was, to put it back after (the test goes on from there, as a person would).
    w.document.activeElement?.setAttribute('data-kb-was', '');
    (w.document.activeElement as El | null)?.blur();
    return all.length;
  }, { scope: scope ?? null, sel: CONTROLS });
  const reached = new Set<string>();
  const noRing = new Set<string>();
  for (let i = 0; i < count * 2 + 5; i++) {
    await page.keyboard.press('Tab');
    const seen = await page.evaluate(() => {
      const w = globalThis as unknown as Win;
      const e = w.document.activeElement;
      if (!e?.getAttribute('data-kb')) return null;
      const st = w.getComputedStyle(e);
      const ring = (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0) || st.boxShadow !== 'none';
      return { kb: e.getAttribute('data-kb')!, ring };
    });
    if (!seen) continue;
    if (reached.has(seen.kb) && reached.size >= count) break;
    reached.add(seen.kb);
    if (!seen.ring) noRing.add(seen.kb);
  }
  const all: string[] = await page.evaluate(() => [...(globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<El> } }).document.querySelectorAll('[data-kb]')].map((e) => e.getAttribute('data-kb')!));
  const groupsReached = new Set([...reached].map((k) => k.split('|radio:')[1]).filter(Boolean));
  const unreachable = all.filter((k) => !reached.has(k) && !(k.includes('|radio:') && groupsReached.has(k.split('|radio:')[1])));
  await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<El & { removeAttribute(n: string): void; focus(): void }> } }).document;
    for (const e of doc.querySelectorAll('[data-kb]')) e.removeAttribute('data-kb');
    for (const e of doc.querySelectorAll('[data-kb-was]')) { e.removeAttribute('data-kb-was'); e.focus(); }
  });
  const short = (k: string) => k.split('|')[1]!;
  return { unreachable: unreachable.map(short), noRing: [...noRing].map(short) };
}
