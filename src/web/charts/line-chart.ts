/** A line chart: one line per series over the categories (days), with a marker per value. */
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

export interface LineChart {
  title: string;
  categories: readonly string[];
  /** `values[i]` belongs to `categories[i]`; null (or missing) is a gap in the line. */
  series: readonly ChartSeries<number | null>[];
  valueLabel: string;
  categoryLabel?: (category: string) => string;
  format?: ValueFormat;
  /** A fixed top of the value axis (e.g. 1 for rates); default: a round number above the largest value. */
  max?: number;
  width?: number;
  height?: number;
}

/**
 * The chart as SVG. Each series is a path through its values (broken at gaps) and a `<circle data-point="">` with a
 * `<title>` tooltip per value. With no value at all it is the "no data" chart.
 */
export function lineChart(chart: LineChart): Html {
  const format = chart.format ?? formatCount;
  const base: Frame = {
    width: chart.width ?? 640,
    height: chart.height ?? 260,
    left: 64,
    right: 12,
    top: 12,
    bottom: 34,
  };
  const values = chart.series.flatMap((series) =>
    series.values.filter((value): value is number => value !== null && Number.isFinite(value)),
  );
  if (chart.categories.length === 0 || values.length === 0) return emptyChart(base, chart.title, 'line');
  // A single series is drawn without a legend.
  const legendEntries = chart.series.length > 1 ? chart.series : [];
  const frame = withLegendRoom(base, legendEntries);
  const plot = plotSize(frame);
  const { top, ticks } = chart.max === undefined ? niceTicks(Math.max(0, ...values)) : niceTicks(chart.max);
  const slot = plot.width / chart.categories.length;
  const x = (index: number) => frame.left + slot * (index + 0.5);
  const y = (value: number) => frame.top + plot.height - (Math.max(0, Math.min(value, top)) / top) * plot.height;
  const lines = chart.series.map((series) => {
    let path = '';
    let drawing = false;
    const points: Html[] = [];
    chart.categories.forEach((category, index) => {
      const value = series.values[index] ?? null;
      if (value === null || !Number.isFinite(value)) {
        drawing = false;
        return;
      }
      path += `${drawing ? 'L' : 'M'}${px(x(index))} ${px(y(value))} `;
      drawing = true;
      points.push(
        html`<circle data-point="" cx="${px(x(index))}" cy="${px(y(value))}" r="3" fill="${series.color}"><title>${category} · ${series.name}: ${format(value)}</title></circle>`,
      );
    });
    return html`<g class="series"><path d="${path.trim()}" fill="none" stroke="${series.color}" stroke-width="2"/>${points}</g>`;
  });
  const label = chart.categoryLabel ?? ((category: string) => category);
  return svg(
    frame,
    chart.title,
    html`${valueAxis(frame, ticks, top, format, chart.valueLabel)}${lines}${categoryAxis(frame, chart.categories, label)}${legendEntries.length > 0 ? legend(frame, legendEntries) : ''}`,
    'line',
  );
}
