/** Shared types of the server-side SVG charts. */

/** One named series of values, one per category (day); drawn in `color` (a CSS color of our own palette). */
export interface ChartSeries<Value = number> {
  name: string;
  color: string;
  values: readonly Value[];
}

/** How a chart writes a value in tooltips and on its axis. */
export type ValueFormat = (value: number) => string;
