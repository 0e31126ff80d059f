/** Small pieces every dashboard page uses: times, durations, badges, pagers, problem notes, filter inputs. */
import { html, type Html } from '../html.ts';
import type { AuditEntryRow } from '../queries/order-detail.ts';

/** `2026-12-06 14:30:05 UTC` (servers and teams span time zones: one zone everywhere, said). */
export function when(date: Date | null | undefined): string {
  if (date === null || date === undefined) return '—';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `1.2 s`, `3 min 5 s`, `2 h 4 min`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1_000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A state or result as a coloured pill (the word is also the CSS class). */
export function badge(word: string, kind: 'state' | 'result' = 'state'): Html {
  return html`<span class="${kind} ${word.replace(/[^a-z_-]/gi, '')}">${word}</span>`;
}

/** Messages about ignored filter values. */
export function problemsNote(problems: readonly string[]): Html {
  if (problems.length === 0) return html``;
  return html`<p class="failed" role="alert">Ignored: ${problems.join('; ')}</p>`;
}

/** Previous/next links that keep the other query fields. */
export function pager(basePath: string, query: URLSearchParams, page: number, pageSize: number, total: number): Html {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const link = (target: number, label: string): Html => {
    const next = new URLSearchParams(query);
    next.set('page', String(target));
    return html`<a href="${basePath}?${next.toString()}" rel="${target < page ? 'prev' : 'next'}">${label}</a>`;
  };
  return html`<nav class="pager" aria-label="pages">${page > 1 ? link(page - 1, '← newer') : ''}<span>page ${page} of ${pages} · ${total} in all</span>${page < pages ? link(page + 1, 'older →') : ''}</nav>`;
}

/** A labelled text input of a GET filter form, keeping the current value. */
export function filterInput(
  name: string,
  label: string,
  query: URLSearchParams,
  type: 'text' | 'date' | 'datetime-local' = 'text',
): Html {
  return html`<label>${label}<input type="${type}" name="${name}" value="${query.get(name) ?? ''}"></label>`;
}

/** A labelled select of a GET filter form; the empty choice means "any". */
export function filterSelect(name: string, label: string, query: URLSearchParams, choices: readonly string[]): Html {
  const current = query.get(name) ?? '';
  return html`<label>${label}<select name="${name}"><option value="">any</option>${choices.map((choice) => html`<option${choice === current ? html` selected` : ''}>${choice}</option>`)}</select></label>`;
}

/** Audit rows as a timeline table: who did what, from which state to which, and why. */
export function timelineTable(rows: readonly AuditEntryRow[]): Html {
  return html`<table data-testid="timeline"><thead><tr><th>#</th><th>When</th><th>Who</th><th>What</th><th>From → to</th><th>Why</th></tr></thead>
<tbody>${rows.map(
    (row) =>
      html`<tr><td>${row.id}</td><td>${when(row.at)}</td><td>${row.actor}</td><td>${row.action}</td><td>${row.fromState === null && row.toState === null ? '' : html`${row.fromState ?? '∅'} → ${row.toState ?? '∅'}`}</td><td>${row.reason ?? ''}</td></tr>`,
  )}</tbody></table>`;
}
