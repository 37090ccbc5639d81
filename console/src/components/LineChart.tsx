/**
 * A time-series line chart on uPlot (a small canvas charting library): a time axis, a value
 * axis in the chart's unit, and a legend that shows each series' value under the cursor
 * (the newest value when the cursor is away). The caption repeats the newest values as text.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  name: string;
  values: (number | null)[];
  className: string;
}

const COLORS: Record<string, string> = { s1: '#0052d9', s2: '#e37318', s3: '#c9353f' };
const HEIGHT = 150;

export const fmtValue = (v: number) => (Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const withUnit = (v: number | null | undefined, unit: string) => (v === null || v === undefined ? '–' : `${fmtValue(v)}${unit ? ` ${unit}` : ''}`);

/** `times` are the points' times (ms since the epoch); `unit` is shown on the value axis and in the legend ('' for a bare count). */
export function LineChart({ title, series, times, unit = '' }: { title: string; series: Series[]; times: number[]; unit?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.name}/${s.className}`).join('|') + `|${unit}`;
  const data = [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, size: 30 },
        {
          stroke: '#6b7280',
          grid: { stroke: '#eef0f3' },
          size: 56,
          label: unit || undefined,
          labelSize: unit ? 14 : 0,
          values: (_u, ticks) => ticks.map((v) => fmtValue(v)),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.name,
          stroke: COLORS[s.className] ?? '#0052d9',
          width: 1.8,
          points: { size: 4 },
          value: (_u: uPlot, v: number | null) => withUnit(v, unit),
        })),
      ],
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // the chart is rebuilt when its series change; new points only update its data (below)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  const last = series.map((s) => [s.name, [...s.values].reverse().find((v) => v !== null)] as const);
  return (
    <figure className="chart">
      <figcaption>
        <strong>{title}</strong>
        {last.map(([name, v]) => (
          <span key={name} className="muted">
            {' '}
            {name}: {withUnit(v, unit)}
          </span>
        ))}
      </figcaption>
      <div ref={box} className="plot" role="img" aria-label={title} />
    </figure>
  );
}
