/**
 * Bar charts over categories (days, weeks): stacked (one bar per category, one segment per series, bottom to top) or
 * grouped (one group per category, one bar per series side by side). Both share the frame, axes, legend and the
 * "no data" chart; only how a category's values become rectangles differs.
 */
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

export interface BarChart {
  /** What the chart shows (its accessible name). */
  title: string;
  /** The bars (stacked) or groups (grouped), left to right. */
  categories: readonly string[];
  /** In stacking order (bottom to top) or side by side; `values[i]` belongs to `categories[i]` (missing = 0). */
  series: readonly ChartSeries[];
  /** The value axis' title. */
  valueLabel: string;
  /** How a category is written under the axis (default: as is). */
  categoryLabel?: (category: string) => string;
  format?: ValueFormat;
  width?: number;
  height?: number;
}

type Arrangement = 'stacked' | 'grouped';

/** One category's rectangles, from its values (each ≥ 0), in the slot that starts at `left`. */
interface Slot {
  left: number;
  width: number;
  baseline: number;
  /** Plot pixels per unit of value. */
  scale: number;
}

function valueAt(series: ChartSeries, index: number): number {
  return Math.max(0, series.values[index] ?? 0);
}

/**
 * The chart as SVG. Every non-zero bar or segment is a `<rect data-point="">` with a `<title>` tooltip (category,
 * series, value); zero values draw nothing. With no positive value at all it is the "no data" chart.
 */
function barChart(chart: BarChart, arrangement: Arrangement): Html {
  const format = chart.format ?? formatCount;
  const kind = `${arrangement}-bar`;
  const base: Frame = {
    width: chart.width ?? 640,
    height: chart.height ?? 300,
    left: 64,
    right: 12,
    top: 12,
    bottom: 34,
  };
  const heights = chart.categories.map((_, index) => {
    const values = chart.series.map((series) => valueAt(series, index));
    return arrangement === 'stacked' ? values.reduce((sum, value) => sum + value, 0) : Math.max(0, ...values);
  });
  const max = Math.max(0, ...heights);
  if (chart.categories.length === 0 || max === 0) return emptyChart(base, chart.title, kind);
  const frame = withLegendRoom(base, chart.series);
  const plot = plotSize(frame);
  const { top, ticks } = niceTicks(max, 4, { integer: true });
  const slotWidth = plot.width / chart.categories.length;
  const groups = chart.categories.map((category, index) => {
    const slot: Slot = {
      left: frame.left + slotWidth * index + slotWidth * 0.1,
      width: slotWidth * 0.8,
      baseline: frame.top + plot.height,
      scale: plot.height / top,
    };
    const barWidth = Math.max(1, arrangement === 'stacked' ? slot.width : slot.width / chart.series.length);
    let stacked = 0;
    const rects = chart.series.flatMap((series, seriesIndex) => {
      const value = valueAt(series, index);
      if (value === 0) return [];
      const height = value * slot.scale;
      const x =
        arrangement === 'stacked' ? slot.left + (slot.width - barWidth) / 2 : slot.left + barWidth * seriesIndex;
      const y = slot.baseline - (stacked + value) * slot.scale;
      if (arrangement === 'stacked') stacked += value;
      return [
        html`<rect data-point="" x="${px(x)}" y="${px(y)}" width="${px(barWidth)}" height="${px(height)}" fill="${series.color}"><title>${category} · ${series.name}: ${format(value)}</title></rect>`,
      ];
    });
    return html`<g class="${arrangement === 'stacked' ? 'bar' : 'group'}">${rects}</g>`;
  });
  const label = chart.categoryLabel ?? ((category: string) => category);
  return svg(
    frame,
    chart.title,
    html`${valueAxis(frame, ticks, top, format, chart.valueLabel)}<g class="bars">${groups}</g>${categoryAxis(frame, chart.categories, label)}${legend(frame, chart.series)}`,
    kind,
  );
}

/** One bar per category, one stacked segment per series. */
export function stackedBarChart(chart: BarChart): Html {
  return barChart(chart, 'stacked');
}

/** One group per category, one bar per series side by side. */
export function groupedBarChart(chart: BarChart): Html {
  return barChart(chart, 'grouped');
}
