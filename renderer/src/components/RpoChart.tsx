import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { messages } from '../messages.ts';

const COLOURS = ['#0b5cad', '#1e7b34', '#8a5a00', '#6b3fa0'];

/** The RPO of each target over the last minutes (uPlot): a line per target, seconds on the y axis. */
export function RpoChart({ history }: { history: Record<string, Array<[number, number]>> }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const targets = Object.keys(history).sort();
  const key = targets.join('|');
  useEffect(() => {
    if (!box.current || targets.length === 0) return;
    // The canvas takes the theme's ink and lines (light or dark), read from the page's own colours.
    const css = getComputedStyle(document.documentElement);
    const ink = css.getPropertyValue('--fg').trim() || '#1d2733';
    const line = css.getPropertyValue('--line').trim() || '#d7dde5';
    const axis = { stroke: ink, grid: { stroke: line }, ticks: { stroke: line } };
    const opts: uPlot.Options = {
      width: Math.max(300, box.current.clientWidth), height: 180,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(2, Math.ceil(max * 1.2))] } },
      axes: [axis, { ...axis, label: messages.dashboard.rpoAxis, size: 50 }],
      series: [{}, ...targets.map((t, i) => ({ label: t, stroke: COLOURS[i % COLOURS.length]!, width: 2 }))],
    };
    plot.current = new uPlot(opts, [[], ...targets.map(() => [])], box.current);
    return () => { plot.current?.destroy(); plot.current = null; };
    // Rebuilt only when the set of targets changes; data flows in below.
  }, [key]);
  useEffect(() => {
    if (!plot.current || targets.length === 0) return;
    const xs = [...new Set(targets.flatMap((t) => history[t]!.map(([x]) => x)))].sort((a, b) => a - b);
    const ys = targets.map((t) => { const m = new Map(history[t]); return xs.map((x) => m.get(x) ?? null); });
    plot.current.setData([xs, ...ys] as uPlot.AlignedData);
  });
  return (
    <figure className="rpo-chart" data-testid="rpo-chart" data-samples={targets.reduce((n, t) => n + history[t]!.length, 0)}>
      <figcaption>{messages.dashboard.chartTitle}</figcaption>
      <div ref={box} />
    </figure>
  );
}
