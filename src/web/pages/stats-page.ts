/** The Statistics page: filters, summary cards and the charts, for the viewer's repositories only. */
import type { DbExecutor } from '../../db/types.ts';
import { formatCount, formatDuration, formatPercent } from '../charts/format.ts';
import { horizontalBarChart } from '../charts/horizontal-bar-chart.ts';
import { lineChart } from '../charts/line-chart.ts';
import { resultColor, seriesColor } from '../charts/palette.ts';
import { groupedBarChart, stackedBarChart } from '../charts/bar-chart.ts';
import type { ChartSeries } from '../charts/types.ts';
import { html, type Html } from '../html.ts';
import { filterOptions, type FilterOptions } from '../stats/filter-options.ts';
import { scopeWeeks, type IsoWeek } from '../stats/iso-weeks.ts';
import { ORDER_OUTCOMES, type OrderOutcome, type OrdersByOutcomeRow } from '../stats/orders-by-outcome.ts';
import type { ReleasesPerDayRow } from '../stats/releases-per-day.ts';
import { readStatistics, type Statistics } from '../stats/statistics.ts';
import { parseStatsFilters, scopeDays, type StatsFilterValues } from '../stats/stats-filters.ts';
import { FINISHED_STATUSES } from '../stats/types.ts';
import type { Viewer } from '../types.ts';
import { layout } from './layout.ts';

const HOUR_MS = 3_600_000;

/** `MM-DD` under the day axis (the year is in the filter). */
const shortDay = (day: string): string => day.slice(5);

/** Hours with at most one decimal, for the lead-time axis. */
const hours = (value: number): string => `${Number(value.toFixed(value >= 10 ? 0 : 1))} h`;

function select(name: string, label: string, choices: readonly string[], value: string): Html {
  // A value typed into the URL that is not a configured name still shows as chosen (it filters to nothing).
  const all = choices.includes(value) || value === '' ? choices : [value, ...choices];
  return html`<label>${label}<select name="${name}"><option value="">All</option>${all.map(
    (choice) => html`<option value="${choice}"${choice === value ? html` selected` : ''}>${choice}</option>`,
  )}</select></label>`;
}

function filterForm(values: StatsFilterValues, options: FilterOptions): Html {
  return html`<form class="filters" method="get" action="/dashboard/stats">
<label>From<input type="date" name="from" value="${values.from}"></label>
<label>To<input type="date" name="to" value="${values.to}"></label>
${select('project', 'Project', options.projects, values.project)}
${select('app', 'App', options.apps, values.app)}
${select('environment', 'Environment', options.environments, values.environment)}
<button type="submit">Apply</button> <a href="/dashboard/stats">Reset</a>
</form>`;
}

function card(label: string, value: string, detail: string, testId: string): Html {
  return html`<div class="card" data-testid="${testId}"><div class="muted">${label}</div><div class="value">${value}</div><div class="muted">${detail}</div></div>`;
}

function cards(stats: Statistics): Html {
  const success = stats.successRate;
  const failure = stats.changeFailureRate.overall;
  const restore = stats.timeToRestore;
  return html`<section class="cards">
${card('Releases', formatCount(success.finished), `${formatCount(success.succeeded)} succeeded`, 'stat-releases')}
${card('Success rate', formatPercent(success.rate), 'succeeded / finished', 'stat-success-rate')}
${card('Change failure rate', formatPercent(failure.rate), `${formatCount(failure.failed)} failed or rolled back`, 'stat-change-failure-rate')}
${card('Median lead time', formatDuration(stats.leadTime.overall.p50Ms), `p90 ${formatDuration(stats.leadTime.overall.p90Ms)} · ${formatCount(stats.leadTime.overall.count)} orders`, 'stat-lead-time')}
${card('Median approval wait', formatDuration(stats.approvalWait.p50Ms), `p90 ${formatDuration(stats.approvalWait.p90Ms)} · ${formatCount(stats.approvalWait.count)} plans`, 'stat-approval-wait')}
${card('Median time to restore', formatDuration(restore.p50Ms), `${formatCount(restore.incidents)} incidents, ${formatCount(restore.unrestored)} not restored`, 'stat-time-to-restore')}
</section>`;
}

/** One stacked series per environment + result that occurred: results in their usual order, environments by name. */
function releaseSeries(rows: readonly ReleasesPerDayRow[], days: readonly string[]): ChartSeries[] {
  const dayIndex = new Map(days.map((day, index) => [day, index]));
  const environments = [...new Set(rows.map((row) => row.environment))].sort();
  return FINISHED_STATUSES.flatMap((status) =>
    environments.flatMap((environment, environmentIndex) => {
      const matching = rows.filter((row) => row.status === status && row.environment === environment);
      if (matching.length === 0) return [];
      const values = days.map(() => 0);
      for (const row of matching) {
        const index = dayIndex.get(row.day);
        if (index !== undefined) values[index] = row.count;
      }
      return [{ name: `${environment} · ${status}`, color: resultColor(status, environmentIndex), values }];
    }),
  );
}

/** The share of each day's finished releases that succeeded; null on days without releases. */
function dailySuccess(rows: readonly ReleasesPerDayRow[], days: readonly string[]): (number | null)[] {
  return days.map((day) => {
    const ofDay = rows.filter((row) => row.day === day);
    const finished = ofDay.reduce((sum, row) => sum + row.count, 0);
    const succeeded = ofDay.filter((row) => row.status === 'succeeded').reduce((sum, row) => sum + row.count, 0);
    return finished === 0 ? null : succeeded / finished;
  });
}

function figure(caption: string, chart: Html, testId: string): Html {
  return html`<figure data-testid="${testId}"><figcaption>${caption}</figcaption>${chart}</figure>`;
}

function charts(stats: Statistics, days: readonly string[]): Html {
  const medians = new Map(stats.leadTime.perDay.map((entry) => [entry.day, entry.p50Ms]));
  return html`<section class="charts">
${figure(
  'Releases per day by environment and result',
  stackedBarChart({
    title: 'Releases per day by environment and result',
    categories: days,
    series: releaseSeries(stats.releasesPerDay, days),
    valueLabel: 'releases',
    categoryLabel: shortDay,
  }),
  'chart-releases-per-day',
)}
${figure(
  'Success rate per day',
  lineChart({
    title: 'Success rate per day',
    categories: days,
    series: [{ name: 'success rate', color: '#1a7f37', values: dailySuccess(stats.releasesPerDay, days) }],
    valueLabel: 'succeeded / finished',
    categoryLabel: shortDay,
    format: (value) => formatPercent(value),
    max: 1,
  }),
  'chart-success-rate',
)}
${figure(
  'Median lead time per day (order opened → released)',
  lineChart({
    title: 'Median lead time per day',
    categories: days,
    series: [
      {
        name: 'median lead time',
        color: '#0969da',
        values: days.map((day) => {
          const ms = medians.get(day);
          return ms === undefined || ms === null ? null : ms / HOUR_MS;
        }),
      },
    ],
    valueLabel: 'hours',
    categoryLabel: shortDay,
    format: hours,
  }),
  'chart-lead-time',
)}
${figure(
  'Change failure rate per environment',
  horizontalBarChart({
    title: 'Change failure rate per environment',
    rows: stats.changeFailureRate.byEnvironment.map((entry) => ({
      label: entry.environment,
      value: entry.rate ?? 0,
      detail: `${entry.failed} of ${entry.finished}`,
    })),
    valueLabel: 'failed or rolled back / finished',
    format: (value) => formatPercent(value),
    max: 1,
    color: '#cf222e',
  }),
  'chart-change-failure-rate',
)}
${figure(
  'Releases per project',
  horizontalBarChart({
    title: 'Releases per project',
    rows: stats.releasesPerProject.map((entry) => ({
      label: entry.project ?? '(no project)',
      value: entry.releases,
      detail: `${entry.succeeded} succeeded, ${entry.failed} failed`,
    })),
    valueLabel: 'finished releases',
    color: seriesColor(1),
  }),
  'chart-releases-per-project',
)}
${figure(
  'Releases per app',
  horizontalBarChart({
    title: 'Releases per app',
    rows: stats.releasesPerApp.map((entry) => ({
      label: `${entry.app} (${entry.repoFullName})`,
      value: entry.releases,
      detail: `${entry.succeeded} succeeded, ${entry.failed} failed`,
    })),
    valueLabel: 'finished releases',
    color: seriesColor(0),
  }),
  'chart-releases-per-app',
)}
</section>`;
}

const OUTCOME_LABEL: Readonly<Record<OrderOutcome, string>> = {
  requested: 'Requested',
  rejected: 'Rejected',
  succeeded: 'Succeeded',
  failed: 'Failed',
  rolled_back: 'Rolled back',
  accepted: 'Accepted',
};

const OUTCOME_COLOR: Readonly<Record<OrderOutcome, string>> = {
  requested: '#0969da',
  rejected: '#8250df',
  succeeded: '#1a7f37',
  failed: '#cf222e',
  rolled_back: '#9a6700',
  accepted: '#1b7c83',
};

/** Work orders by outcome per ISO week: a grouped bar chart and the same figures as a table. */
function outcomes(rows: readonly OrdersByOutcomeRow[], weeks: readonly IsoWeek[]): Html {
  const counts = new Map(rows.map((row) => [`${row.weekStart} ${row.outcome}`, row.count]));
  const count = (week: IsoWeek, outcome: OrderOutcome): number => counts.get(`${week.weekStart} ${outcome}`) ?? 0;
  const chart = groupedBarChart({
    title: 'Work orders by outcome per week',
    categories: weeks.map((week) => week.week),
    series: ORDER_OUTCOMES.map((outcome) => ({
      name: OUTCOME_LABEL[outcome],
      color: OUTCOME_COLOR[outcome],
      values: weeks.map((week) => count(week, outcome)),
    })),
    valueLabel: 'work orders',
    categoryLabel: (week) => week.slice(5),
  });
  const table = html`<table data-testid="orders-by-outcome"><caption>Work orders by outcome per ISO week</caption><thead><tr><th scope="col">Week</th><th scope="col">From</th>${ORDER_OUTCOMES.map(
    (outcome) => html`<th scope="col">${OUTCOME_LABEL[outcome]}</th>`,
  )}</tr></thead><tbody>${weeks.map(
    (week) =>
      html`<tr><th scope="row">${week.week}</th><td>${week.weekStart}</td>${ORDER_OUTCOMES.map(
        (outcome) => html`<td>${formatCount(count(week, outcome))}</td>`,
      )}</tr>`,
  )}</tbody></table>`;
  return html`${figure('Work orders by outcome per week', chart, 'chart-orders-by-outcome')}
${table}`;
}

function people(stats: Statistics): Html {
  if (stats.personActivity.length === 0)
    return html`<p class="muted" data-testid="people-empty">Nobody did anything in this range.</p>`;
  return html`<table data-testid="people"><thead><tr><th>Person</th><th>Orders requested</th><th>Plans authored</th><th>Approvals given</th><th>Releases deployed</th></tr></thead><tbody>${stats.personActivity.map(
    (entry) =>
      html`<tr><td>${entry.person}</td><td>${formatCount(entry.ordersRequested)}</td><td>${formatCount(entry.plansAuthored)}</td><td>${formatCount(entry.approvalsGiven)}</td><td>${formatCount(entry.releasesDeployed)}</td></tr>`,
  )}</tbody></table>`;
}

/**
 * The Statistics page for `viewer` (only the viewer's repositories are counted). Filters come from `query`
 * (from, to, project, app, environment; default: the last 30 days); invalid values are listed on the page and
 * their defaults used.
 */
export async function statsPage(db: DbExecutor, viewer: Viewer, query: URLSearchParams): Promise<Html> {
  const { values, scope, problems } = parseStatsFilters(query, viewer.repos);
  const [options, stats] = await Promise.all([filterOptions(db, viewer.repos), readStatistics(db, scope)]);
  const days = scopeDays(scope);
  const body = html`<h1>Statistics</h1>
${filterForm(values, options)}
${problems.length === 0 ? '' : html`<div class="problems" role="alert" data-testid="filter-problems"><ul>${problems.map((problem) => html`<li>${problem}</li>`)}</ul></div>`}
<p class="muted">${values.from} – ${values.to} (UTC)${viewer.repos.length === 0 ? html` · you have no repositories to show` : ''}</p>
${cards(stats)}
${charts(stats, days)}
<h2>Work orders by outcome</h2>
${outcomes(stats.ordersByOutcome, scopeWeeks(scope))}
<h2>People</h2>
${people(stats)}
<p class="muted">Lead time: order opened → its first successful release. Approval wait: plan submitted → its approval quorum. Time to restore: a failed or rolled-back release → the next successful release of the same app and environment. Change failure rate: failed or rolled-back releases / finished releases. Work orders by outcome: orders opened, and orders that reached rejected, succeeded, failed (a release or a rollback failed), rolled back (a /rollback finished) or accepted, each counted once per ISO week.</p>`;
  return layout({ title: 'Statistics', viewer, current: '/dashboard/stats', body });
}
