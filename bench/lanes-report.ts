/**
 * `bench:lanes` only: the engines' figures as a table, and the ratios issue 15's targets are stated in — each engine
 * against nginx (CPU per request, throughput, p99 added at 1000/s), the large table against the small one, and
 * commit-to-effect — with met/MISSED where the issue sets a target for that engine.
 */
import type { DataPlaneEngine } from '../src/lanes/data-plane.ts';
import { percentile } from './dispatch-stats.ts';

export interface EngineFigures {
  cpuUs: number;
  perSecond: number;
  addedP50Ms: number;
  addedP99Ms: number;
  errors: number;
}

export interface Measured {
  lanes: number;
  /** Median time the route watcher takes to load this table from the database (on a change not of one lane). */
  tableLoadMs: number;
  /** Median time it takes to reload one lane of it (on a change of that lane: opened, tagged, ended). */
  laneLoadMs: number;
  engines: {
    engine: DataPlaneEngine;
    median: EngineFigures;
    /** Each round's figures, in round order (ratios are taken round by round: the same minute of the machine). */
    rounds: EngineFigures[];
    effectP50Ms: number;
    effectP99Ms: number;
    effectMissed: number;
  }[];
}

interface Targets {
  cpuVsNginx?: number;
  throughputVsNginx?: number;
  addedP99Ms?: number;
  /** The large table's figures within this fraction of the small one's. */
  largeWithin?: number;
  effectP99Ms?: number;
}

/** Issue 15: HAProxy is held to nginx's figures; nginx only to its commit-to-effect. */
const TARGETS: Partial<Record<string, Targets>> = {
  haproxy: { cpuVsNginx: 1.1, throughputVsNginx: 0.95, addedP99Ms: 1, largeWithin: 0.05, effectP99Ms: 50 },
  nginx: { effectP99Ms: 1000 },
};

const ms = (value: number): string => (Number.isNaN(value) ? '-' : `${value.toFixed(2)} ms`);
const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '-');
const change = (value: number): string =>
  Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%` : '-';

/**
 * The median over the rounds of `of(a's round, b's round)`: a ratio taken within each round, where both planes ran
 * in the same minute, so that the machine's drift from round to round cancels (a ratio of medians mixes rounds).
 */
function pairedMedian(
  a: readonly EngineFigures[],
  b: readonly EngineFigures[],
  of: (a: EngineFigures, b: EngineFigures) => number,
): number {
  const values = a.flatMap((each, round) => {
    const other = b[round];
    return other === undefined ? [] : [of(each, other)];
  });
  return percentile(values, 50);
}

const cpuRatio = (a: EngineFigures, b: EngineFigures): number => a.cpuUs / b.cpuUs;
const throughputRatio = (a: EngineFigures, b: EngineFigures): number => a.perSecond / b.perSecond;

function lanesText(count: number): string {
  return `${count.toLocaleString('en')} lane${count === 1 ? '' : 's'}`;
}

function verdict(met: boolean | undefined): string {
  return met === undefined ? '' : met ? ' met' : ' MISSED';
}

export function printReport(sizes: readonly Measured[]): void {
  const header = ['engine', 'lanes', 'CPU/request', 'flat out', 'added p50', 'added p99', 'commit-to-effect p50 / p99'];
  const rows = sizes.flatMap((size) =>
    size.engines.map((entry) => [
      entry.engine,
      size.lanes.toLocaleString('en'),
      Number.isNaN(entry.median.cpuUs) ? '-' : `${entry.median.cpuUs.toFixed(1)} µs`,
      `${Math.round(entry.median.perSecond).toLocaleString('en')}/s`,
      ms(entry.median.addedP50Ms),
      ms(entry.median.addedP99Ms),
      `${ms(entry.effectP50Ms)} / ${ms(entry.effectP99Ms)}${entry.effectMissed > 0 ? ` (${entry.effectMissed} not seen in 10 s)` : ''}${entry.median.errors > 0 ? `; ${entry.median.errors} errors under load` : ''}`,
    ]),
  );
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of [header, ...rows])
    console.log(`  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd());

  console.log(
    `  the route watcher loading from the database the whole table (on a change of instances or the baseline): ${sizes.map((size) => `${ms(size.tableLoadMs)} with ${lanesText(size.lanes)}`).join(', ')}; one lane (on that lane's change): ${sizes.map((size) => `${ms(size.laneLoadMs)} with ${lanesText(size.lanes)}`).join(', ')}`,
  );
  console.log('  ratios (issue 15 sets targets for HAProxy against nginx; every engine is shown):');
  for (const size of sizes) {
    const nginx = size.engines.find((entry) => entry.engine === 'nginx');
    for (const entry of size.engines) {
      const targets = TARGETS[entry.engine] ?? {};
      const parts: string[] = [];
      if (nginx !== undefined && entry !== nginx) {
        const cpu = pairedMedian(entry.rounds, nginx.rounds, cpuRatio);
        const throughput = pairedMedian(entry.rounds, nginx.rounds, throughputRatio);
        parts.push(
          `CPU/request ${times(cpu)} nginx's${verdict(targets.cpuVsNginx === undefined ? undefined : cpu <= targets.cpuVsNginx)}`,
          `throughput ${times(throughput)}${verdict(targets.throughputVsNginx === undefined ? undefined : throughput >= targets.throughputVsNginx)}`,
        );
      }
      // Commit-to-effect is held to its target with the table of the route-changes-under-load scenario (a few
      // lanes); the issue sets none for 10,000 lanes, where the figure is shown as it is.
      const effectTarget = size === sizes[0] ? targets.effectP99Ms : undefined;
      parts.push(
        `p99 added ${ms(entry.median.addedP99Ms)}${verdict(targets.addedP99Ms === undefined ? undefined : entry.median.addedP99Ms < targets.addedP99Ms)}`,
        `commit-to-effect p99 ${ms(entry.effectP99Ms)}${verdict(effectTarget === undefined ? undefined : entry.effectMissed === 0 && entry.effectP99Ms < effectTarget)}${effectTarget === undefined && targets.effectP99Ms !== undefined ? ' (no target at this size)' : ''}`,
      );
      console.log(`    ${entry.engine}, ${lanesText(size.lanes)}: ${parts.join(', ')}`);
    }
  }
  const [small, large] = [sizes[0], sizes.at(-1)];
  if (small === undefined || large === undefined || small === large) return;
  // Both table sizes are measured in the same rounds (the same seconds of a shared machine), so each engine's change
  // is judged as it is; nginx's own change, whose lookups do not depend on the table's size, is shown beside it.
  const nginxBefore = small.engines.find((each) => each.engine === 'nginx')?.rounds;
  const nginxAfter = large.engines.find((each) => each.engine === 'nginx')?.rounds;
  for (const entry of large.engines) {
    const before = small.engines.find((each) => each.engine === entry.engine);
    if (before === undefined) continue;
    const within = TARGETS[entry.engine]?.largeWithin;
    const cpu = pairedMedian(entry.rounds, before.rounds, cpuRatio) - 1;
    const throughput = pairedMedian(entry.rounds, before.rounds, throughputRatio) - 1;
    const p99 = entry.median.addedP99Ms - before.median.addedP99Ms;
    const nginx =
      nginxBefore === undefined || nginxAfter === undefined || entry.engine === 'nginx'
        ? undefined
        : {
            cpu: pairedMedian(nginxAfter, nginxBefore, cpuRatio) - 1,
            throughput: pairedMedian(nginxAfter, nginxBefore, throughputRatio) - 1,
          };
    const met =
      within === undefined
        ? undefined
        : cpu <= within &&
          -throughput <= within &&
          entry.median.addedP99Ms < (TARGETS[entry.engine]?.addedP99Ms ?? Number.POSITIVE_INFINITY);
    console.log(
      `    ${entry.engine}, ${lanesText(large.lanes)} against ${lanesText(small.lanes)}: CPU/request ${change(cpu)}, throughput ${change(throughput)}, p99 added ${p99 >= 0 ? '+' : ''}${ms(p99)}${nginx === undefined ? '' : ` (nginx's own: CPU/request ${change(nginx.cpu)}, throughput ${change(nginx.throughput)})`}${verdict(met)}`,
    );
  }
}
