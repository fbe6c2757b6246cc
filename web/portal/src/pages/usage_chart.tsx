// A bar chart drawn as inline SVG (no chart library), with its data as a
// table for screen readers and for anyone who wants the figures.
import { useId } from '../components/ui';

export interface Bar {
  label: string;
  value: number;
}

const WIDTH = 640;
const HEIGHT = 220;
const LEFT = 40;
const BOTTOM = 40;
const TOP = 10;

export function BarChart({ title, bars, unit }: { title: string; bars: Bar[]; unit: string }) {
  const id = useId('chart');
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plotH = HEIGHT - BOTTOM - TOP;
  const slot = bars.length > 0 ? (WIDTH - LEFT) / bars.length : 0;
  const barW = Math.max(2, slot * 0.7);
  // Label every nth bar so that labels do not overlap.
  const every = Math.max(1, Math.ceil(bars.length / 10));
  const total = bars.reduce((n, b) => n + b.value, 0);
  const top = bars.reduce<Bar | null>((m, b) => (!m || b.value > m.value ? b : m), null);
  const summary =
    bars.length === 0
      ? `${title}: no data`
      : `${title}: ${total} ${unit} in all; most: ${top!.value} (${top!.label})`;
  return (
    <figure class="chart" aria-labelledby={id}>
      <figcaption id={id}>{title}</figcaption>
      {bars.length === 0 ? (
        <p>No data for this period.</p>
      ) : (
        <>
          <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} width={WIDTH} height={HEIGHT}>
            <line class="axis" x1={LEFT} y1={TOP + plotH} x2={WIDTH} y2={TOP + plotH} />
            <line class="axis" x1={LEFT} y1={TOP} x2={LEFT} y2={TOP + plotH} />
            <text x={LEFT - 4} y={TOP + 8} text-anchor="end">
              {max}
            </text>
            <text x={LEFT - 4} y={TOP + plotH} text-anchor="end">
              0
            </text>
            {bars.map((b, i) => {
              const h = (b.value / max) * plotH;
              const x = LEFT + i * slot + (slot - barW) / 2;
              return (
                <g key={b.label}>
                  <rect class="bar" x={x} y={TOP + plotH - h} width={barW} height={h}>
                    <title>
                      {b.label}: {b.value}
                    </title>
                  </rect>
                  {i % every === 0 && (
                    <text x={x + barW / 2} y={TOP + plotH + 14} text-anchor="middle">
                      {/^\d{4}-\d{2}-\d{2}$/.test(b.label) ? b.label.slice(5) : b.label.slice(0, 12)}
                    </text>
                  )}
                </g>
              );
            })}
          </svg>
          <details>
            <summary>{title}: the figures</summary>
            <table>
              <caption>{title}</caption>
              <thead>
                <tr>
                  <th scope="col">{bars[0].label.match(/^\d{4}-\d{2}-\d{2}$/) ? 'Day' : 'Value'}</th>
                  <th scope="col">{unit}</th>
                </tr>
              </thead>
              <tbody>
                {bars.map((b) => (
                  <tr key={b.label}>
                    <th scope="row">{b.label}</th>
                    <td>{b.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}
