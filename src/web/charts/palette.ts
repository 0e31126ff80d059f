/** Colours of the statistics charts: release results in the dashboard's own ok/bad/running hues. */
import type { FinishedStatus } from '../stats/types.ts';

/** Per result, shades from dark to light: environments of one result take successive shades. */
const RESULT_SHADES: Readonly<Record<FinishedStatus, readonly string[]>> = {
  succeeded: ['#1a7f37', '#2da44e', '#4ac26b', '#6fdd8b', '#aceebb'],
  partial: ['#9a6700', '#bf8700', '#d4a72c', '#eac54f', '#fae17d'],
  failed: ['#a40e26', '#cf222e', '#fa4549', '#ff8182', '#ffaba8'],
  aborted: ['#424a53', '#6e7781', '#8c959f', '#afb8c1', '#d0d7de'],
};

/** The colour of `status` for the `index`-th environment (cycling through the shades). */
export function resultColor(status: FinishedStatus, index: number): string {
  const shades = RESULT_SHADES[status];
  return shades[index % shades.length] ?? '#6e7781';
}

/** A categorical palette for series that are not results (one colour per series, cycling). */
export const SERIES_COLORS = [
  '#0969da',
  '#8250df',
  '#bf3989',
  '#1a7f37',
  '#9a6700',
  '#cf222e',
  '#1b7c83',
  '#57606a',
] as const;

/** The `index`-th series colour. */
export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length] ?? '#0969da';
}
