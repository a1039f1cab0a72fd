/** axe-core in the served page: WCAG 2.1 A/AA and best practices; serious and critical violations are returned for the test to refuse. */
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Violation { id: string; impact: string; help: string; nodes: string[] }

export async function seriousViolations(page: Page, scope?: string): Promise<Violation[]> {
  // Evaluated over the DevTools protocol, so the page's CSP (no inline script, no eval) does not stand in the way.
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE);
  const found = await page.evaluate(async (sel) => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
    const r = await axe.run(sel ? doc.querySelector(sel) : doc, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? 'unknown', help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  }, scope ?? null);
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
