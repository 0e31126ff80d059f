/** A grouped bar chart: one group per category (week), one bar per series side by side. */
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

export interface GroupedBarChart {
  /** What the chart shows (its accessible name). */
  title: string;
  /** The groups, left to right. */
  categories: readonly string[];
  /** Side by side within each group, in this order; `values[i]` belongs to `categories[i]` (missing = 0). */
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
 * The chart as SVG. Every non-zero bar is a `<rect data-point="">` with a `<title>` tooltip (category, series,
 * value); zero bars draw nothing. With no positive value at all it is the "no data" chart.
 */
export function groupedBarChart(chart: GroupedBarChart): Html {
  const format = chart.format ?? formatCount;
  const base: Frame = {
    width: chart.width ?? 640,
    height: chart.height ?? 300,
    left: 64,
    right: 12,
    top: 12,
    bottom: 34,
  };
  const max = Math.max(0, ...chart.series.flatMap((series) => series.values));
  if (chart.categories.length === 0 || chart.series.length === 0 || max === 0)
    return emptyChart(base, chart.title, 'grouped-bar');
  const frame = withLegendRoom(base, chart.series);
  const plot = plotSize(frame);
  const { top, ticks } = niceTicks(max, 4, { integer: true });
  const slot = plot.width / chart.categories.length;
  const barWidth = Math.max(1, (slot * 0.8) / chart.series.length);
  const baseline = frame.top + plot.height;
  const groups = chart.categories.map((category, index) => {
    const start = frame.left + slot * index + slot * 0.1;
    const bars = chart.series.flatMap((series, seriesIndex) => {
      const value = Math.max(0, series.values[index] ?? 0);
      if (value === 0) return [];
      const height = (value / top) * plot.height;
      return [
        html`<rect data-point="" x="${px(start + barWidth * seriesIndex)}" y="${px(baseline - height)}" width="${px(barWidth)}" height="${px(height)}" fill="${series.color}"><title>${category} · ${series.name}: ${format(value)}</title></rect>`,
      ];
    });
    return html`<g class="group">${bars}</g>`;
  });
  const label = chart.categoryLabel ?? ((category: string) => category);
  return svg(
    frame,
    chart.title,
    html`${valueAxis(frame, ticks, top, format, chart.valueLabel)}<g class="bars">${groups}</g>${categoryAxis(frame, chart.categories, label)}${legend(frame, chart.series)}`,
    'grouped-bar',
  );
}
