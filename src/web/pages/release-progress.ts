/**
 * The live part of the order page: per release, a stages × hosts grid (the latest event of each cell), each host's
 * outcome, and what each host printed per stage. Rendered on the server for the page and again for every
 * server-sent update, so the browser only swaps the fragment in.
 */
import { STAGES } from '../../deploy/types.ts';
import { html, type Html } from '../html.ts';
import type { OrderProgress, ReleaseRow, ReleasesProgress, StageEventRow } from '../queries/order-detail.ts';
import { badge, duration, when } from './format.ts';

const COLUMNS = [...STAGES, 'rollback'] as const;

/** The release's hosts: as planned at start (rollout order), then any others its events name. */
function hostsOf(progress: ReleasesProgress, releaseId: string, planned: readonly string[][] | null): string[] {
  const hosts = new Set<string>(planned?.flat() ?? []);
  for (const row of progress.hostRuns) if (row.releaseId === releaseId) hosts.add(row.host);
  for (const row of progress.stageEvents) if (row.releaseId === releaseId) hosts.add(row.host);
  return [...hosts];
}

function cell(event: StageEventRow | undefined, host: string, stage: string): Html {
  if (event === undefined)
    return html`<td data-host="${host}" data-stage="${stage}" data-result="" class="muted">·</td>`;
  const title = [
    event.message ?? '',
    event.durationMs === null ? '' : duration(event.durationMs),
    event.exitCode === null ? '' : `exit ${event.exitCode}`,
  ]
    .filter((part) => part !== '')
    .join(' · ');
  const label = event.result === 'started' ? 'running' : event.result;
  return html`<td data-host="${host}" data-stage="${stage}" data-result="${event.result}" class="cell-${event.result}" title="${title}">${label}${event.durationMs === null ? '' : html`<br><small>${duration(event.durationMs)}</small>`}</td>`;
}

/** One release: its grid, each host's outcome, and what each host printed. */
export function releaseSection(progress: ReleasesProgress, release: ReleaseRow): Html {
  const hosts = hostsOf(progress, release.releaseId, release.batches);
  const latest = new Map<string, StageEventRow>();
  for (const event of progress.stageEvents)
    if (event.releaseId === release.releaseId) latest.set(`${event.host}\u0000${event.stage}`, event);
  const runs = progress.hostRuns.filter((row) => row.releaseId === release.releaseId);
  const outcomeOf = (host: string) => runs.filter((row) => row.host === host).at(-1);
  const grid = html`<table class="grid" data-testid="stage-grid" data-release="${release.releaseId}">
<thead><tr><th>Host</th>${COLUMNS.map((stage) => html`<th>${stage}</th>`)}<th>Outcome</th></tr></thead>
<tbody>${hosts.map((host) => {
    const run = outcomeOf(host);
    const failure = run?.failure;
    const failureMessage =
      failure !== null && failure !== undefined && typeof failure.message === 'string' ? failure.message : '';
    const batch = release.batches?.findIndex((hostsOfBatch) => hostsOfBatch.includes(host)) ?? -1;
    return html`<tr data-host-row="${host}"><th>${host}${batch < 0 ? '' : html`<br><small class="muted">batch ${batch + 1}</small>`}</th>${COLUMNS.map((stage) => cell(latest.get(`${host}\u0000${stage}`), host, stage))}
<td data-outcome="${run?.outcome ?? ''}">${run === undefined || run.outcome === 'untouched' ? html`<span class="muted">…</span>` : badge(run.outcome, 'result')} ${failureMessage}</td></tr>`;
  })}</tbody></table>`;
  const output = hosts.map((host) => {
    const lines = progress.output.filter((row) => row.releaseId === release.releaseId && row.host === host);
    return html`<details data-output-host="${host}"${lines.length > 0 && release.status === 'running' ? html` open` : ''}><summary>${host}: ${lines.length} output line${lines.length === 1 ? '' : 's'}</summary>
<pre>${lines.map((row) => html`<span class="${row.stream === 'stderr' ? 'failed' : ''}">[${row.stage}] ${row.line}</span>\n`)}</pre></details>`;
  });
  return html`<section data-testid="release" data-release="${release.releaseId}" data-status="${release.status}">
<h3>Release ${release.releaseId} · ${release.version} · ${badge(release.status, 'result')}</h3>
<p class="muted">started ${when(release.startedAt)} · finished ${when(release.finishedAt)}</p>
${hosts.length === 0 ? html`<p class="muted">No host has started yet.</p>` : grid}
${output}
</section>`;
}

/** The live fragment (`#live`): the order's state and its releases, newest first. */
export function releaseProgress(progress: OrderProgress): Html {
  const releases = progress.releases.toReversed();
  return html`<p>State: <span data-testid="order-state">${badge(progress.order.state)}</span> · updated ${when(progress.order.updatedAt)}</p>
${releases.length === 0 ? html`<p class="muted">No release yet.</p>` : releases.map((release) => releaseSection(progress, release))}`;
}
