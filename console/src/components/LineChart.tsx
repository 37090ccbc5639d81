/** A small hand-rolled SVG line chart: one or more series over time. */
export interface Series {
  name: string;
  values: (number | null)[];
  className: string;
}

export function LineChart({ title, series, labels, unit }: { title: string; series: Series[]; labels: string[]; unit?: string }) {
  const w = 320;
  const h = 120;
  const pad = { l: 36, r: 8, t: 8, b: 18 };
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(1e-9, ...all) * 1.1 || 1;
  const n = Math.max(2, labels.length);
  const x = (i: number) => pad.l + (i / (n - 1)) * (w - pad.l - pad.r);
  const y = (v: number) => h - pad.b - (v / max) * (h - pad.t - pad.b);
  const path = (vals: (number | null)[]) => {
    let d = '';
    let pen = false;
    vals.forEach((v, i) => {
      if (v === null) return void (pen = false);
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const last = series.map((s) => [s.name, [...s.values].reverse().find((v) => v !== null)] as const);
  const fmt = (v: number) => (Number.isInteger(v) || v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  return (
    <figure className="chart">
      <figcaption>
        <strong>{title}</strong>
        {last.map(([name, v]) => (
          <span key={name} className="muted">
            {' '}
            {name}: {v === undefined || v === null ? '–' : fmt(v)}
            {unit ?? ''}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={title}>
        <line x1={pad.l} y1={h - pad.b} x2={w - pad.r} y2={h - pad.b} className="axis" />
        <line x1={pad.l} y1={pad.t} x2={pad.l} y2={h - pad.b} className="axis" />
        <text x={pad.l - 4} y={pad.t + 8} className="tick" textAnchor="end">
          {fmt(max)}
        </text>
        <text x={pad.l - 4} y={h - pad.b} className="tick" textAnchor="end">
          0
        </text>
        {labels.length > 0 && (
          <>
            <text x={pad.l} y={h - 4} className="tick">
              {labels[0]}
            </text>
            <text x={w - pad.r} y={h - 4} className="tick" textAnchor="end">
              {labels[labels.length - 1]}
            </text>
          </>
        )}
        {series.map((s) => (
          <g key={s.name} className={`line ${s.className}`}>
            <path d={path(s.values)} />
            {/* a lone point (no neighbour to draw a line to) still shows */}
            {s.values.map((v, i) =>
              v !== null && (s.values[i - 1] ?? null) === null && (s.values[i + 1] ?? null) === null ? <circle key={i} cx={x(i)} cy={y(v)} r={2} /> : null,
            )}
          </g>
        ))}
      </svg>
    </figure>
  );
}
