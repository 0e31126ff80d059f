/** `/dashboard/lanes`: the shared library, the active lanes, and what reuse saved. */
import type { DbExecutor } from '../../db/types.ts';
import { html, type Html } from '../html.ts';
import { lanesOverview } from '../queries/lanes-overview.ts';
import type { Viewer } from '../types.ts';
import { badge, when } from './format.ts';
import { layout } from './layout.ts';

export async function lanesPage(db: DbExecutor, viewer: Viewer): Promise<Html> {
  const view = await lanesOverview(db, viewer.repos, viewer.everything === true);
  const { deployed, fullCopy } = view.savings;
  const saved = fullCopy === 0 ? 0 : Math.round(((fullCopy - deployed) / fullCopy) * 100);
  const body = html`<h1>Lanes</h1>
<div class="cards" data-testid="savings">
<div class="card"><div class="muted">Active lanes</div><div class="value">${view.lanes.length}</div></div>
<div class="card"><div class="muted">Instances in the library</div><div class="value">${view.instances.length}</div></div>
<div class="card"><div class="muted">Deployed for lanes</div><div class="value">${deployed}</div></div>
<div class="card"><div class="muted">A full copy per lane</div><div class="value">${fullCopy}</div></div>
<div class="card"><div class="muted">Saved by reuse</div><div class="value">${saved}%</div></div>
</div>
<h2>Lanes</h2>
${
  view.lanes.length === 0
    ? html`<p class="muted">No active lane.</p>`
    : html`<table data-testid="lanes"><thead><tr><th>Lane</th><th>Mode</th><th>Services</th><th>Pull request</th><th>Expires</th></tr></thead>
<tbody>${view.lanes.map(
        (lane) => html`<tr data-lane="${lane.name}"><td>${lane.name}</td><td>${lane.mode}</td>
<td>${lane.services.map((service) => html`<div>${service.service}@${service.version} <span class="muted">${service.deployed ? 'deployed' : 'reused'}</span></div>`)}</td>
<td>${lane.pull === null ? '—' : `${lane.pull.repoFullName}#${lane.pull.number}`}</td><td>${when(lane.expiresAt)}</td></tr>`,
      )}</tbody></table>`
}
<h2>Library</h2>
${
  view.instances.length === 0
    ? html`<p class="muted">The library is empty.</p>`
    : html`<table data-testid="instances"><thead><tr><th>Service</th><th>Version</th><th>State</th><th>Baseline</th><th>Endpoint</th><th>Runtime</th><th>Used by</th><th>Last used</th></tr></thead>
<tbody>${view.instances.map(
        (row) =>
          html`<tr><td>${row.service}</td><td>${row.version}</td><td>${badge(row.state === 'up' ? 'ok' : row.state, 'result')}</td><td>${row.baseline ? 'yes' : ''}</td><td>${row.endpoint ?? '—'}</td><td>${row.runtime}</td><td>${row.lanes.join(', ')}</td><td>${when(row.lastUsedAt)}</td></tr>`,
      )}</tbody></table>`
}`;
  return layout({ title: 'Lanes', viewer, current: '/dashboard/lanes', body });
}
