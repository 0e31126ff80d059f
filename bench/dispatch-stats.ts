/** Latency statistics shared by the dispatch and webhook benches. */

/** The `p`-th percentile (0–100) of `values` by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? Number.NaN;
}

/** Milliseconds with one decimal. */
export function fmtMs(value: number): string {
  return Number.isNaN(value) ? '-' : value.toFixed(1);
}
