/** How the statistics page and its charts write numbers, rates and durations. */

/** `1,234` (en-US grouping, whole numbers). */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A 0–1 rate as `87.5%` (one decimal, none when it is .0: `25%`); `–` for none. */
export function formatPercent(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '–';
  return `${(rate * 100).toFixed(1).replace(/\.0$/, '')}%`;
}

/** A duration in ms, in its largest sensible unit with one decimal: `45 s`, `12 min`, `3.5 h`, `2.1 d`; `–` for none. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const seconds = ms / 1000;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = seconds / 60;
  if (minutes < 60) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${trim(hours)} h`;
  return `${trim(hours / 24)} d`;
}

function trim(value: number): string {
  return value >= 10 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
}
