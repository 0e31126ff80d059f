import { describe, expect, it } from 'vitest';
import { niceTicks } from '../../src/web/charts/axis.ts';
import { formatDuration, formatPercent } from '../../src/web/charts/format.ts';
import { groupedBarChart, stackedBarChart } from '../../src/web/charts/bar-chart.ts';
import { horizontalBarChart } from '../../src/web/charts/horizontal-bar-chart.ts';
import { lineChart } from '../../src/web/charts/line-chart.ts';

const points = (svg: string): number => svg.match(/\sdata-point=""/g)?.length ?? 0;
const titles = (svg: string): string[] => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((match) => match[1] ?? '');

/** The markup is one svg element with balanced tags (a cheap well-formedness check: no XML parser in the deps). */
function expectBalanced(svg: string): void {
  expect(svg.startsWith('<svg ')).toBe(true);
  expect(svg.endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (name === undefined || selfClosing === '/') continue;
    if (closing === '/') expect(stack.pop()).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
}

describe('groupedBarChart', () => {
  const chart = {
    title: 'Work orders by outcome',
    categories: ['2026-W44', '2026-W45'],
    series: [
      { name: 'Requested', color: '#0969da', values: [3, 1] },
      { name: 'Failed', color: '#cf222e', values: [0, 2] },
    ],
    valueLabel: 'work orders',
  };

  it('draws one bar per non-zero value, side by side, each with its tooltip', () => {
    const svg = groupedBarChart(chart).text;
    expectBalanced(svg);
    expect(points(svg)).toBe(3);
    expect(titles(svg)).toEqual(['2026-W44 · Requested: 3', '2026-W45 · Requested: 1', '2026-W45 · Failed: 2']);
    const xs = [...svg.matchAll(/<rect data-point="" x="([\d.]+)"/g)].map((match) => Number(match[1]));
    // W45's two bars sit next to each other, right of W44's.
    expect(xs[1]).toBeGreaterThan(xs[0] ?? Number.POSITIVE_INFINITY);
    expect(xs[2]).toBeGreaterThan(xs[1] ?? Number.POSITIVE_INFINITY);
  });

  it('is the no-data chart when every value is zero', () => {
    const svg = groupedBarChart({ ...chart, series: [{ name: 'Requested', color: '#0969da', values: [0, 0] }] }).text;
    expect(svg).toContain('data-empty="true"');
    expect(points(svg)).toBe(0);
  });
});

describe('stackedBarChart', () => {
  const chart = {
    title: 'Releases',
    categories: ['2026-11-01', '2026-11-02', '2026-11-03'],
    series: [
      { name: 'production · succeeded', color: '#1a7f37', values: [2, 0, 5] },
      { name: 'production · failed', color: '#cf222e', values: [1, 3, 0] },
    ],
    valueLabel: 'releases',
  };

  it('draws one data point per non-zero segment, each with a tooltip', () => {
    const svg = stackedBarChart(chart).text;
    expectBalanced(svg);
    expect(points(svg)).toBe(4);
    expect(titles(svg)).toEqual([
      '2026-11-01 · production · succeeded: 2',
      '2026-11-01 · production · failed: 1',
      '2026-11-02 · production · failed: 3',
      '2026-11-03 · production · succeeded: 5',
    ]);
  });

  it('has axes and a legend naming every series', () => {
    const svg = stackedBarChart(chart).text;
    expect(svg).toContain('class="axis axis-y"');
    expect(svg).toContain('class="axis axis-x"');
    expect(svg.match(/class="legend-entry"/g)?.length).toBe(2);
    expect(svg).toContain('>2026-11-03</text>');
    expect(svg).toContain('>releases</text>');
  });

  it('escapes series names and categories', () => {
    const svg = stackedBarChart({
      ...chart,
      categories: ['<b>"day"</b>'],
      series: [{ name: `<script>alert('x')</script> & co`, color: '#000', values: [1] }],
    }).text;
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co');
    expect(svg).toContain('&lt;b&gt;&quot;day&quot;&lt;/b&gt;');
    expectBalanced(svg);
  });

  it.each([
    ['no categories', { categories: [], series: chart.series }],
    ['only zeros', { categories: ['a', 'b'], series: [{ name: 's', color: '#000', values: [0, 0] }] }],
    ['no series', { categories: ['a'], series: [] }],
  ])('shows a "no data" chart for %s', (_, data) => {
    const svg = stackedBarChart({ ...chart, ...data }).text;
    expectBalanced(svg);
    expect(svg).toContain('data-empty="true"');
    expect(svg).toContain('No data for this range');
    expect(points(svg)).toBe(0);
  });
});

describe('lineChart', () => {
  it('draws a data point per value, skipping gaps, and breaks the line there', () => {
    const svg = lineChart({
      title: 'Success rate',
      categories: ['d1', 'd2', 'd3', 'd4'],
      series: [{ name: 'rate', color: '#1a7f37', values: [0.5, null, 1, 0.75] }],
      valueLabel: 'rate',
      format: formatPercent,
      max: 1,
    }).text;
    expectBalanced(svg);
    expect(points(svg)).toBe(3);
    expect(titles(svg)).toEqual(['d1 · rate: 50%', 'd3 · rate: 100%', 'd4 · rate: 75%']);
    const path = /<path d="([^"]*)"/.exec(svg)?.[1] ?? '';
    expect(path.match(/M/g)?.length).toBe(2);
    expect(path.match(/L/g)?.length).toBe(1);
  });

  it('shows a legend for several series and escapes their names', () => {
    const svg = lineChart({
      title: 't',
      categories: ['d1'],
      series: [
        { name: 'p50 <median>', color: '#000', values: [1] },
        { name: 'p90', color: '#111', values: [2] },
      ],
      valueLabel: 'hours',
    }).text;
    expect(points(svg)).toBe(2);
    expect(svg).toContain('p50 &lt;median&gt;');
    expect(svg.match(/class="legend-entry"/g)?.length).toBe(2);
  });

  it('shows a "no data" chart when every value is missing', () => {
    const svg = lineChart({
      title: 't',
      categories: ['d1', 'd2'],
      series: [{ name: 's', color: '#000', values: [null, null] }],
      valueLabel: 'v',
    }).text;
    expectBalanced(svg);
    expect(svg).toContain('data-empty="true"');
    expect(points(svg)).toBe(0);
  });
});

describe('horizontalBarChart', () => {
  it('draws a data point per row with the full label in its tooltip', () => {
    const long = 'a-very-long-application-name-that-does-not-fit (acme/shop)';
    const svg = horizontalBarChart({
      title: 'Per app',
      rows: [
        { label: long, value: 12, detail: '2 failed' },
        { label: '<img src=x>', value: 0 },
      ],
      valueLabel: 'releases',
    }).text;
    expectBalanced(svg);
    expect(points(svg)).toBe(2);
    expect(titles(svg)).toEqual([`${long}: 12 (2 failed)`, '&lt;img src=x&gt;: 0']);
    expect(svg).not.toContain('<img');
    expect(svg).toContain('a-very-long-application-nam…');
  });

  it('shows a "no data" chart without rows', () => {
    const svg = horizontalBarChart({ title: 'Per app', rows: [], valueLabel: 'releases' }).text;
    expectBalanced(svg);
    expect(svg).toContain('data-empty="true"');
  });
});

describe('niceTicks and formats', () => {
  it('steps counts by whole numbers', () => {
    expect(niceTicks(1, 4, { integer: true })).toEqual({ top: 1, ticks: [0, 1] });
    expect(niceTicks(3, 4, { integer: true })).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
    expect(niceTicks(10, 4, { integer: true })).toEqual({ top: 10, ticks: [0, 5, 10] });
    expect(niceTicks(0, 4, { integer: true })).toEqual({ top: 1, ticks: [0, 1] });
  });

  it.each([
    [7, 8, [0, 2, 4, 6, 8]],
    [1, 1, [0, 0.25, 0.5, 0.75, 1]],
    [100, 100, [0, 25, 50, 75, 100]],
    [0, 1, [0, 0.25, 0.5, 0.75, 1]],
  ])('puts the axis for max %d at %d', (max, top, ticks) => {
    expect(niceTicks(max)).toEqual({ top, ticks });
  });

  it('writes durations and rates', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(12 * 60_000)).toBe('12 min');
    expect(formatDuration(90 * 60_000)).toBe('1.5 h');
    expect(formatDuration(13 * 3_600_000)).toBe('13 h');
    expect(formatDuration(60 * 3_600_000)).toBe('2.5 d');
    expect(formatPercent(4 / 9)).toBe('44.4%');
    expect(formatPercent(null)).toBe('–');
  });
});
