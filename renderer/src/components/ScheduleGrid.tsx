import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { DAYS, rateText, scheduleText } from '../../../shared/schedule.ts';
import { messages } from '../messages.ts';
import { nextSlot } from './week-keys.ts';

/** The limits a person can paint, in bytes per second (null = unlimited). */
export const PALETTE: ReadonlyArray<number | null> = [null, 100e6 / 8, 50e6 / 8, 20e6 / 8, 10e6 / 8, 5e6 / 8, 1e6 / 8];

const shade = (v: number | null) => (v === null ? 'unlimited' : `limit-${PALETTE.indexOf(v) >= 0 ? PALETTE.indexOf(v) : 'custom'}`);

/**
 * The weekly bandwidth schedule as a grid of 7 days × 24 hours: choose a limit, then press
 * and drag across hours to paint it. From the keyboard the grid is one Tab stop (a roving
 * tabindex, so 168 hours do not stand between a person and the next field): the arrow keys,
 * Home and End move, Enter or Space paints, Shift with an arrow paints as it moves. The rule
 * text below the grid is what the job stores.
 */
export function ScheduleGrid({ id, limits, onPaint }: { id: string; limits: ReadonlyArray<number | null>; onPaint: (slots: number[], value: number | null) => void }) {
  const [brush, setBrush] = useState<number | null>(PALETTE[3]!);
  const painting = useRef(false);
  const [active, setActive] = useState(0);
  const cells = useRef<Array<HTMLButtonElement | null>>([]);
  const onKey = (slot: number, e: ReactKeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPaint([slot], brush); return; }
    const to = nextSlot(slot, e.key);
    if (to === null) return;
    e.preventDefault();
    setActive(to);
    cells.current[to]?.focus();
    if (e.shiftKey) onPaint(to === slot ? [slot] : [slot, to], brush);
  };
  useEffect(() => {
    const stop = () => { painting.current = false; };
    window.addEventListener('pointerup', stop);
    return () => window.removeEventListener('pointerup', stop);
  }, []);
  const m = messages.options;
  return (
    <div className="schedule" data-testid={`schedule-${id}`}>
      <div className="palette" role="radiogroup" aria-label={m.brush}>
        {PALETTE.map((v) => (
          <label key={String(v)} className={`swatch ${shade(v)}`}>
            <input type="radio" name={`brush-${id}`} checked={brush === v} onChange={() => setBrush(v)} data-testid={`brush-${id}-${rateText(v)}`} />
            {v === null ? m.unlimited : `${(v * 8) / 1e6} Mbit/s`}
          </label>
        ))}
      </div>
      <p className="small muted" id={`schedule-keys-${id}`}>{m.gridKeys}</p>
      <table className="week" aria-describedby={`schedule-keys-${id}`} onPointerLeave={() => { painting.current = false; }}>
        <thead><tr><th />{Array.from({ length: 24 }, (_, h) => <th key={h} scope="col">{h % 3 === 0 ? String(h).padStart(2, '0') : ''}</th>)}</tr></thead>
        <tbody>
          {DAYS.map((day, d) => (
            <tr key={day}>
              <th scope="row">{m.days[d]}</th>
              {Array.from({ length: 24 }, (_, h) => {
                const slot = d * 24 + h;
                const v = limits[slot] ?? null;
                return (
                  <td key={h}>
                    <button type="button" className={`hour ${shade(v)}`} data-slot={slot} data-limit={rateText(v)}
                      ref={(el) => { cells.current[slot] = el; }} tabIndex={slot === active ? 0 : -1} onFocus={() => setActive(slot)}
                      aria-label={`${m.days[d]} ${String(h).padStart(2, '0')}:00: ${v === null ? m.unlimited : `${(v * 8) / 1e6} Mbit/s`}`}
                      onPointerDown={(e) => { e.preventDefault(); painting.current = true; onPaint([slot], brush); }}
                      onPointerEnter={() => { if (painting.current) onPaint([slot], brush); }}
                      onKeyDown={(e) => onKey(slot, e)} />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small">
        <code data-testid={`schedule-text-${id}`}>{scheduleText(limits) || m.noLimit}</code>{' '}
        <button type="button" onClick={() => onPaint(Array.from({ length: 168 }, (_, i) => i), null)}>{m.clearSchedule}</button>
      </p>
    </div>
  );
}

