/** `/dashboard/orders`: the viewer's work orders with filters and paging. */
import { WORK_ORDER_STATES } from '../../db/vocabulary.ts';
import type { DbExecutor } from '../../db/types.ts';
import { html, type Html } from '../html.ts';
import { parseOrderFilters } from '../queries/order-filters.ts';
import { listOrders, ORDERS_PAGE_SIZE } from '../queries/orders-list.ts';
import type { Viewer } from '../types.ts';
import { badge, filterInput, filterSelect, pager, problemsNote, when } from './format.ts';
import { layout } from './layout.ts';

export async function ordersPage(db: DbExecutor, viewer: Viewer, query: URLSearchParams): Promise<Html> {
  const { filters, problems } = parseOrderFilters(query);
  const { rows, total } = await listOrders(db, viewer.repos, filters);
  const table =
    rows.length === 0
      ? html`<p class="muted" data-testid="no-orders">No work orders match.</p>`
      : html`<table data-testid="orders">
<thead><tr><th>Order</th><th>Title</th><th>State</th><th>Project</th><th>App</th><th>Environment</th><th>Requested by</th><th>Opened</th></tr></thead>
<tbody>${rows.map(
          (row) => html`<tr data-order="${row.id}">
<td><a href="/dashboard/orders/${row.id}">${row.repoFullName}#${row.number}</a></td><td>${row.title}</td><td>${badge(row.state)}</td>
<td>${row.project ?? '—'}</td><td>${row.app ?? '—'}</td><td>${row.environment ?? '—'}</td><td>${row.requester}</td><td>${when(row.createdAt)}</td></tr>`,
        )}</tbody></table>`;
  const body = html`<h1>Work orders</h1>
<form class="filters" method="get" action="/dashboard/orders">
${filterInput('project', 'Project', query)}${filterInput('app', 'App', query)}${filterInput('environment', 'Environment', query)}
${filterSelect('state', 'State', query, WORK_ORDER_STATES)}${filterInput('person', 'Person', query)}
${filterInput('from', 'Opened from', query, 'date')}${filterInput('to', 'Opened until', query, 'date')}
<button type="submit">Filter</button> <a href="/dashboard/orders">clear</a>
</form>
${problemsNote(problems)}
${table}
${pager('/dashboard/orders', query, filters.page, ORDERS_PAGE_SIZE, total)}`;
  return layout({ title: 'Work orders', viewer, current: '/dashboard/orders', body });
}
