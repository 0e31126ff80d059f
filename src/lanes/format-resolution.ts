/** A task's resolution as text: one row per service (version, reused / deployed / baseline, endpoint) and the totals. */
import type { TaskResolution } from './lane-tasks.ts';

/**
 * What a ready lane is made of, counted: `deployed 1, reused 0, baseline 1` (zeros too), and the services a
 * fallback lane names as baseline while no baseline runs.
 */
export function resolutionTally(resolution: TaskResolution): string {
  const count = (how: string): number => resolution.services.filter((entry) => entry.how === how).length;
  const missing = count('missing');
  return `deployed ${count('deployed')}, reused ${count('reused')}, baseline ${count('baseline')}${missing > 0 ? `, without a baseline ${missing}` : ''}`;
}

export function formatResolution(resolution: TaskResolution): string {
  const rows = resolution.services.map((entry) => [
    entry.service,
    entry.asked,
    entry.version ?? '-',
    entry.how,
    entry.endpoint ?? '-',
  ]);
  const header = ['service', 'asked', 'version', 'how', 'endpoint'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const table = [line(header), ...rows.map(line)].join('\n');
  if (!resolution.ok) return `lane ${resolution.lane}: NOT ready: ${resolution.message}\n${table}\n`;
  return `lane ${resolution.lane} (${resolution.mode}) ready: ${resolutionTally(resolution)}; a full copy per task would deploy ${resolution.fullCopy}\n${table}\n`;
}
