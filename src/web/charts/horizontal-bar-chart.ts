/** A horizontal bar chart: one labelled bar per row (counts per project, app, environment). */
import { html, type Html } from '../html.ts';
import { emptyChart, niceTicks, px, svg, type Frame } from './axis.ts';
import { formatCount } from './format.ts';
import type { ValueFormat } from './types.ts';

export interface HorizontalBarRow {
  label: string;
  value: number;
  /** Extra tooltip text (e.g. "12 failed"). */
  detail?: string;
}

export interface HorizontalBarChart {
  title: string;
  /** Top to bottom. */
  rows: readonly HorizontalBarRow[];
  /** What the values are, written under the bars. */
  valueLabel: string;
  format?: ValueFormat;
  /** A fixed end of the value axis (e.g. 1 for rates). */
  max?: number;
  color?: string;
  width?: number;
}

const ROW_HEIGHT = 22;

/**
 * The chart as SVG: labels on the left (truncated to 28 characters, the full text in the tooltip), a
 * `<rect data-point="">` with a `<title>` per row and its value at the bar's end. No rows: the "no data" chart.
 */
export function horizontalBarChart(chart: HorizontalBarChart): Html {
  const format = chart.format ?? formatCount;
  const width = chart.width ?? 640;
  const frame: Frame = {
    width,
    height: Math.max(120, 34 + chart.rows.length * ROW_HEIGHT + 24),
    left: 190,
    right: 70,
    top: 10,
    bottom: 34,
  };
  if (chart.rows.length === 0) return emptyChart(frame, chart.title, 'horizontal-bar');
  const { top } = niceTicks(chart.max ?? Math.max(0, ...chart.rows.map((row) => row.value)));
  const plotWidth = frame.width - frame.left - frame.right;
  const color = chart.color ?? '#0969da';
  const bars = chart.rows.map((row, index) => {
    const y = frame.top + index * ROW_HEIGHT;
    const barWidth = (Math.max(0, Math.min(row.value, top)) / top) * plotWidth;
    const shown = row.label.length > 28 ? `${row.label.slice(0, 27)}…` : row.label;
    return html`<g class="row"><text x="${px(frame.left - 8)}" y="${px(y + 15)}" text-anchor="end" font-size="12" fill="#1f2328">${shown}</text><rect data-point="" x="${px(frame.left)}" y="${px(y + 3)}" width="${px(Math.max(barWidth, 1))}" height="${ROW_HEIGHT - 6}" fill="${color}"><title>${row.label}: ${format(row.value)}${row.detail === undefined ? '' : ` (${row.detail})`}</title></rect><text x="${px(frame.left + barWidth + 6)}" y="${px(y + 15)}" font-size="11" fill="#59636e">${format(row.value)}</text></g>`;
  });
  const baseline = frame.top + chart.rows.length * ROW_HEIGHT + 4;
  return svg(
    frame,
    chart.title,
    html`${bars}<line x1="${px(frame.left)}" x2="${px(frame.left + plotWidth)}" y1="${px(baseline)}" y2="${px(baseline)}" stroke="#59636e" stroke-width="1"/><text x="${px(frame.left)}" y="${px(baseline + 14)}" font-size="11" fill="#59636e">0</text><text x="${px(frame.left + plotWidth)}" y="${px(baseline + 14)}" text-anchor="end" font-size="11" fill="#59636e">${format(top)}</text><text x="${px(frame.left + plotWidth / 2)}" y="${px(baseline + 28)}" text-anchor="middle" font-size="11" fill="#59636e">${chart.valueLabel}</text>`,
    'horizontal-bar',
  );
}
