/** A stacked bar chart: one bar per category (day), one stacked segment per series. */
import { html, type Html } from '../html.ts';
import {
  categoryAxis,
  emptyChart,
  legend,
  niceTicks,
  plotSize,
  px,
  svg,
  valueAxis,
  withLegendRoom,
  type Frame,
} from './axis.ts';
import { formatCount } from './format.ts';
import type { ChartSeries, ValueFormat } from './types.ts';

export interface StackedBarChart {
  /** What the chart shows (its accessible name). */
  title: string;
  /** The bars, left to right. */
  categories: readonly string[];
  /** Stacked bottom to top, in this order; `values[i]` belongs to `categories[i]` (missing = 0). */
  series: readonly ChartSeries[];
  /** The value axis' title. */
  valueLabel: string;
  /** How a category is written under the axis (default: as is). */
  categoryLabel?: (category: string) => string;
  format?: ValueFormat;
  width?: number;
  height?: number;
}

/**
 * The chart as SVG. Every non-zero segment is a `<rect data-point="">` with a `<title>` tooltip (category, series,
 * value); zero segments draw nothing. With no positive value at all it is the "no data" chart.
 */
export function stackedBarChart(chart: StackedBarChart): Html {
  const format = chart.format ?? formatCount;
  const base: Frame = {
    width: chart.width ?? 640,
    height: chart.height ?? 300,
    left: 64,
    right: 12,
    top: 12,
    bottom: 34,
  };
  const totals = chart.categories.map((_, index) =>
    chart.series.reduce((sum, series) => sum + Math.max(0, series.values[index] ?? 0), 0),
  );
  const max = Math.max(0, ...totals);
  if (chart.categories.length === 0 || max === 0) return emptyChart(base, chart.title, 'stacked-bar');
  const frame = withLegendRoom(base, chart.series);
  const plot = plotSize(frame);
  const { top, ticks } = niceTicks(max, 4, { integer: true });
  const slot = plot.width / chart.categories.length;
  const barWidth = Math.max(1, slot * 0.8);
  const baseline = frame.top + plot.height;
  const bars = chart.categories.map((category, index) => {
    let stacked = 0;
    const segments = chart.series.flatMap((series) => {
      const value = Math.max(0, series.values[index] ?? 0);
      if (value === 0) return [];
      const y = baseline - ((stacked + value) / top) * plot.height;
      const height = (value / top) * plot.height;
      stacked += value;
      return [
        html`<rect data-point="" x="${px(frame.left + slot * index + (slot - barWidth) / 2)}" y="${px(y)}" width="${px(barWidth)}" height="${px(height)}" fill="${series.color}"><title>${category} · ${series.name}: ${format(value)}</title></rect>`,
      ];
    });
    return html`<g class="bar">${segments}</g>`;
  });
  const label = chart.categoryLabel ?? ((category: string) => category);
  return svg(
    frame,
    chart.title,
    html`${valueAxis(frame, ticks, top, format, chart.valueLabel)}<g class="bars">${bars}</g>${categoryAxis(frame, chart.categories, label)}${legend(frame, chart.series)}`,
    'stacked-bar',
  );
}
