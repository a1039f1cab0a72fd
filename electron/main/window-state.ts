/**
 * The window's size and place, remembered between starts (`<userData>/window.json`). A saved
 * place that no screen shows any more (a monitor unplugged) is dropped, so the window never
 * opens where nobody can see it; the size is kept within the minimum and the screen.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Bounds { x: number; y: number; width: number; height: number }
export interface WindowState { bounds: Bounds; maximized: boolean }

const MIN = { width: 900, height: 640 };

/** The state to open with: the saved one fitted to today's screens, or null (the defaults). */
export function fitToScreens(saved: unknown, screens: readonly Bounds[]): Partial<WindowState> | null {
  const s = saved as Partial<WindowState> | null;
  const b = s?.bounds;
  if (!b || ![b.x, b.y, b.width, b.height].every((n) => Number.isFinite(n))) return null;
  // The screen that shows the window's title bar (its top-left corner, a little inside).
  const on = screens.find((d) => b.x + 40 >= d.x && b.x + 40 < d.x + d.width && b.y + 10 >= d.y && b.y + 10 < d.y + d.height);
  const width = Math.max(MIN.width, Math.min(b.width, on?.width ?? b.width));
  const height = Math.max(MIN.height, Math.min(b.height, on?.height ?? b.height));
  return on ? { bounds: { x: b.x, y: b.y, width, height }, maximized: !!s.maximized } : { bounds: { x: NaN, y: NaN, width, height }, maximized: !!s.maximized };
}

export function readWindowState(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  try {
    writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
  } catch { /* a place not remembered is no reason to fail closing */ }
}
