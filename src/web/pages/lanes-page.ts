/** `/dashboard/lanes`: the shared library, the active lanes, and what reuse saved. */
import type { DbExecutor } from '../../db/types.ts';
import { MAX_DESCRIPTION, MAX_OWNER } from '../../lanes/index.ts';
import { html, type Html } from '../html.ts';
import { lanesOverview } from '../queries/lanes-overview.ts';
import type { Viewer } from '../types.ts';
import { badge, when } from './format.ts';
import { layout } from './layout.ts';

/**
 * The operator's edit form of an instance (only the local viewer of `yardmaster dashboard` gets it; the route checks
 * again): description, owner, labels one `key=value` a line, baseline. No script: a `details` element opens it.
 */
function editForm(
  row: {
    service: string;
    version: string;
    description: string;
    owner: string;
    labels: Record<string, string>;
    baseline: boolean;
  },
  csrf: string,
): Html {
  const labels = Object.entries(row.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  return html`<details><summary>Edit</summary><form method="post" action="/dashboard/lanes/instances/${row.service}/${row.version}" data-testid="edit-instance">
<input type="hidden" name="csrf" value="${csrf}">
<label>Description <input name="description" maxlength="${MAX_DESCRIPTION}" value="${row.description}"></label>
<label>Owner <input name="owner" maxlength="${MAX_OWNER}" value="${row.owner}"></label>
<label>Labels (key=value, one a line) <textarea name="labels" rows="3">${labels}</textarea></label>
<label><input type="checkbox" name="baseline"${row.baseline ? html` checked` : ''}> Baseline</label>
<button type="submit">Save</button></form></details>`;
}

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
    : html`<table data-testid="instances"><thead><tr><th>Service</th><th>Version</th><th>Build</th><th>State</th><th>Baseline</th><th>Endpoint</th><th>Runtime</th><th>Used by</th><th>Last used</th><th>Owner</th><th>Labels</th><th>Description</th>${viewer.everything === true ? html`<th></th>` : ''}</tr></thead>
<tbody>${view.instances.map(
        (row) =>
          html`<tr data-instance="${row.service}@${row.version}"><td>${row.service}</td><td>${row.version}</td><td title="${row.packageDigest}">${row.packageDigest === '' ? '—' : row.packageDigest.slice(0, 12)}</td><td>${badge(row.state === 'up' ? 'ok' : row.state, 'result')}</td><td>${row.baseline ? 'yes' : ''}</td><td>${row.endpoint ?? '—'}</td><td>${row.runtime}</td><td>${row.lanes.join(', ')}</td><td>${when(row.lastUsedAt)}</td><td>${row.owner}</td><td>${Object.entries(row.labels).map(([key, value]) => html`<code>${key}=${value}</code> `)}</td><td>${row.description}</td>${viewer.everything === true ? html`<td>${editForm(row, viewer.csrfToken)}</td>` : ''}</tr>`,
      )}</tbody></table>`
}`;
  return layout({ title: 'Lanes', viewer, current: '/dashboard/lanes', body });
}
