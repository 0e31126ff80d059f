/** Scales, axes and legends shared by the SVG charts. */
import { html, type Html } from '../html.ts';
import type { ValueFormat } from './types.ts';

/** The drawing area of a chart: the SVG's size and the margins around the plot. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The plot's inner width and height. */
export function plotSize(frame: Frame): { width: number; height: number } {
  return { width: frame.width - frame.left - frame.right, height: frame.height - frame.top - frame.bottom };
}

/**
 * A "nice" top of the value axis (1, 2, 2.5 or 5 × a power of ten, at least `max`) and its tick values, so that
 * gridlines fall on round numbers. `max` ≤ 0 gives the axis 0–1. With `integer`, steps are whole numbers (counts).
 */
export function niceTicks(
  max: number,
  count = 4,
  options: { integer?: boolean } = {},
): { top: number; ticks: number[] } {
  if (!(max > 0))
    return options.integer === true ? { top: 1, ticks: [0, 1] } : { top: 1, ticks: [0, 0.25, 0.5, 0.75, 1] };
  // Counts step by whole numbers: an axis of 0–1 releases has no quarter releases.
  const rough = options.integer === true ? Math.max(1, max / count) : max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const factors = options.integer === true ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  const step = factors.map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let tick = 0; tick <= top + step / 2; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return { top, ticks };
}

/** A number with at most two decimals, for SVG coordinates. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Horizontal gridlines with their value labels on the left, and the value axis' title. */
export function valueAxis(
  frame: Frame,
  ticks: readonly number[],
  top: number,
  format: ValueFormat,
  label: string,
): Html {
  const plot = plotSize(frame);
  const lines = ticks.map((tick) => {
    const y = frame.top + plot.height - (tick / top) * plot.height;
    return html`<line x1="${px(frame.left)}" x2="${px(frame.left + plot.width)}" y1="${px(y)}" y2="${px(y)}" stroke="#d1d9e0" stroke-width="1"/><text x="${px(frame.left - 6)}" y="${px(y + 4)}" text-anchor="end" font-size="11" fill="#59636e">${format(tick)}</text>`;
  });
  const middle = frame.top + plot.height / 2;
  return html`<g class="axis axis-y">${lines}<text x="12" y="${px(middle)}" transform="rotate(-90 12 ${px(middle)})" text-anchor="middle" font-size="11" fill="#59636e">${label}</text></g>`;
}

/**
 * The category axis under the plot: a baseline and at most `maxLabels` evenly spread labels (always the first and
 * the last), each centred on its category's slot.
 */
export function categoryAxis(
  frame: Frame,
  categories: readonly string[],
  label: (category: string) => string,
  maxLabels = 8,
): Html {
  const plot = plotSize(frame);
  const slot = plot.width / Math.max(categories.length, 1);
  const every = Math.max(1, Math.ceil(categories.length / maxLabels));
  const baseline = frame.top + plot.height;
  const labels = categories.flatMap((category, index) => {
    const last = categories.length - 1;
    if (index % every !== 0 && index !== last) return [];
    // A regular label too close to the last one would overlap it.
    if (index !== last && index !== 0 && last - index < every * 0.75) return [];
    const x = frame.left + slot * (index + 0.5);
    return [
      html`<text x="${px(x)}" y="${px(baseline + 16)}" text-anchor="middle" font-size="11" fill="#59636e">${label(category)}</text>`,
    ];
  });
  return html`<g class="axis axis-x"><line x1="${px(frame.left)}" x2="${px(frame.left + plot.width)}" y1="${px(baseline)}" y2="${px(baseline)}" stroke="#59636e" stroke-width="1"/>${labels}</g>`;
}

/** Room under the plot for the category labels, before the legend starts. */
const CATEGORY_LABELS_HEIGHT = 34;
/** Height of one legend row. */
const LEGEND_ROW_HEIGHT = 16;

/** Where each legend entry goes in `frame`: its left edge and its row, wrapping at the frame's right edge. */
function legendPlaces<Entry extends { name: string }>(
  frame: Frame,
  entries: readonly Entry[],
): { entry: Entry; x: number; row: number }[] {
  let x = frame.left;
  let row = 0;
  return entries.map((entry) => {
    // Text is not measured on the server: ~6.5 px per character at 11 px is close enough for system-ui.
    const width = 18 + entry.name.length * 6.5 + 14;
    if (x + width > frame.width - frame.right && x > frame.left) {
      x = frame.left;
      row += 1;
    }
    const place = { entry, x, row };
    x += width;
    return place;
  });
}

/** A legend under the category axis: a swatch and the name of each series, wrapping into rows. */
export function legend(frame: Frame, entries: readonly { name: string; color: string }[]): Html {
  const firstRow = frame.top + plotSize(frame).height + CATEGORY_LABELS_HEIGHT + 8;
  const swatches = legendPlaces(frame, entries).map(({ entry, x, row }) => {
    const y = firstRow + row * LEGEND_ROW_HEIGHT;
    return html`<g class="legend-entry"><rect x="${px(x)}" y="${px(y - 9)}" width="10" height="10" fill="${entry.color}"/><text x="${px(x + 14)}" y="${px(y)}" font-size="11" fill="#1f2328">${entry.name}</text></g>`;
  });
  return html`<g class="legend">${swatches}</g>`;
}

/** `base` grown at the bottom by the room a {@link legend} of `entries` needs (none for no entries). */
export function withLegendRoom(base: Frame, entries: readonly { name: string }[]): Frame {
  const rows = legendPlaces(base, entries).reduce((count, place) => Math.max(count, place.row + 1), 0);
  const room = rows === 0 ? 0 : rows * LEGEND_ROW_HEIGHT + 8;
  return { ...base, height: base.height + room, bottom: base.bottom + room };
}

/** The chart's SVG element around `content`, scaling to its container's width. */
export function svg(frame: Frame, title: string, content: Html, kind: string): Html {
  return html`<svg class="chart chart-${kind}" role="img" aria-label="${title}" viewBox="0 0 ${px(frame.width)} ${px(frame.height)}" width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">${content}</svg>`;
}

/**
 * The chart when there is nothing to draw: a valid SVG of the same size saying so (and `data-empty`), rather than
 * empty axes or a division by zero.
 */
export function emptyChart(frame: Frame, title: string, kind: string): Html {
  return html`<svg class="chart chart-${kind} chart-empty" data-empty="true" role="img" aria-label="${title}: no data" viewBox="0 0 ${px(frame.width)} ${px(frame.height)}" width="100%" xmlns="http://www.w3.org/2000/svg"><rect x="0.5" y="0.5" width="${px(frame.width - 1)}" height="${px(frame.height - 1)}" fill="#f6f8fa" stroke="#d1d9e0"/><text x="${px(frame.width / 2)}" y="${px(frame.height / 2)}" text-anchor="middle" font-size="13" fill="#59636e">No data for this range</text></svg>`;
}
