/** `/dashboard/audit`: search the audit log, and whether its hash chain verifies. */
import { verifyAuditChain, installedAuditKey } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import { html, type Html } from '../html.ts';
import { AUDIT_PAGE_SIZE, parseAuditFilters, searchAudit } from '../queries/audit-search.ts';
import type { Viewer } from '../types.ts';
import { filterInput, pager, problemsNote, when } from './format.ts';
import { layout } from './layout.ts';

async function chainNote(db: DbExecutor, viewer: Viewer): Promise<Html> {
  // The chain covers every repository's rows: its size and head say nothing to keep from a team member, but a
  // GitHub user who can read no installed repository learns nothing about the log at all.
  if (viewer.repos.length === 0 && viewer.everything !== true) return html``;
  const chain = await verifyAuditChain(db, { key: installedAuditKey() });
  if (chain.ok) {
    return html`<p data-testid="chain" data-chain="verifies"><span class="state verifies">chain verifies</span> ${chain.rows} rows${chain.head === null ? '' : html`, head #${chain.head.id} <code>${chain.head.hash.slice(0, 16)}</code>`}</p>`;
  }
  return html`<p data-testid="chain" data-chain="broken" role="alert"><span class="state broken">chain broken</span> at row #${chain.brokenAt} (${chain.reason}); ${chain.rows} rows verified before it</p>`;
}

export async function auditPage(db: DbExecutor, viewer: Viewer, query: URLSearchParams): Promise<Html> {
  const { filters, problems } = parseAuditFilters(query);
  const [{ rows, total }, chain] = await Promise.all([
    searchAudit(db, viewer.repos, filters, viewer.everything === true),
    chainNote(db, viewer),
  ]);
  const table =
    rows.length === 0
      ? html`<p class="muted">No audit rows match.</p>`
      : html`<table data-testid="audit"><thead><tr><th>#</th><th>When</th><th>Who</th><th>What</th><th>Order</th><th>From → to</th><th>Why</th></tr></thead>
<tbody>${rows.map(
          (
            row,
          ) => html`<tr data-audit="${row.id}"><td>${row.id}</td><td>${when(row.at)}</td><td>${row.actor}</td><td>${row.action}</td>
<td>${row.workOrderId === null ? (row.repoFullName ?? '—') : html`<a href="/dashboard/orders/${row.workOrderId}">${row.repoFullName ?? ''}#${row.number ?? ''}</a>`}</td>
<td>${row.fromState === null && row.toState === null ? '' : html`${row.fromState ?? '∅'} → ${row.toState ?? '∅'}`}</td><td>${row.reason ?? ''}</td></tr>`,
        )}</tbody></table>`;
  const body = html`<h1>Audit</h1>
${chain}
<form class="filters" method="get" action="/dashboard/audit">
${filterInput('actor', 'Actor', query)}${filterInput('action', 'Action (or prefix.*)', query)}${filterInput('order', 'Order id', query)}
${filterInput('from', 'From', query, 'date')}${filterInput('to', 'Until', query, 'date')}
<button type="submit">Search</button> <a href="/dashboard/audit">clear</a>
</form>
${problemsNote(problems)}
${table}
${pager('/dashboard/audit', query, filters.page, AUDIT_PAGE_SIZE, total)}`;
  return layout({ title: 'Audit', viewer, current: '/dashboard/audit', body });
}
