/**
 * `/dashboard/environments`: what runs where, who holds each environment's lock and who waits, the latest pre-flight
 * (passed or failed, when, the failing hosts), the last releases.
 */
import type { DbExecutor } from '../../db/types.ts';
import { html, type Html } from '../html.ts';
import { environmentsOverview, type EnvironmentOverview } from '../queries/environments-overview.ts';
import type { Viewer } from '../types.ts';
import { badge, when } from './format.ts';
import { layout } from './layout.ts';

const orderLink = (id: number | null): Html =>
  id === null ? html`—` : html`<a href="/dashboard/orders/${id}">order ${id}</a>`;

const releaseLink = (releaseId: string): Html => html`<a href="/dashboard/releases/${releaseId}">${releaseId}</a>`;

function lockText(env: EnvironmentOverview): Html {
  const { lock } = env;
  if (lock === null) return html`<span class="muted">free</span>`;
  if (lock.holderWorkOrderId === null) return html`locked by ${lock.lockedBy ?? '?'}: ${lock.reason ?? ''}`;
  return html`held by ${orderLink(lock.holderWorkOrderId)} (${lock.owner ?? 'no worker'}) since ${when(lock.since)}`;
}

function preflightText(env: EnvironmentOverview): Html {
  const { preflight } = env;
  if (preflight === null) return html`<span class="muted">none yet</span>`;
  const failing =
    preflight.failingHosts.length > 0
      ? html` on ${preflight.failingHosts.join(', ')}`
      : preflight.status === 'failed' && preflight.message !== null
        ? html`: ${preflight.message}`
        : '';
  return html`${badge(preflight.status, 'result')}${failing} · ${orderLink(preflight.workOrderId)} · ${when(preflight.at)}`;
}

function environmentSection(env: EnvironmentOverview): Html {
  return html`<section data-testid="environment" data-environment="${env.repoFullName}/${env.app}/${env.name}">
<h2>${env.app} · ${env.name}${env.production ? html` <span class="state failed">production</span>` : ''} <small class="muted">${env.repoFullName}</small></h2>
<p data-testid="lock">Lock: ${lockText(env)}${env.queue.length === 0 ? '' : html` · waiting: ${env.queue.map((entry, index) => html`${index === 0 ? '' : ', '}${orderLink(entry.workOrderId)}`)}`}</p>
<p data-testid="preflight">Pre-flight: ${preflightText(env)}</p>
${
  env.hosts.length === 0
    ? html`<p class="muted">No release has reached a host yet.</p>`
    : html`<table data-testid="live-versions"><thead><tr><th>Host</th><th>Live version</th><th>Last outcome</th><th>When</th></tr></thead>
<tbody>${env.hosts.map((host) => html`<tr><td>${host.host}</td><td>${host.version ?? '—'}</td><td>${badge(host.outcome, 'result')}</td><td>${when(host.at)} · ${releaseLink(host.releaseId)}</td></tr>`)}</tbody></table>`
}
${
  env.recent.length === 0
    ? ''
    : html`<table data-testid="recent-releases"><thead><tr><th>Release</th><th>Version</th><th>Result</th><th>Order</th><th>Started</th><th>Finished</th></tr></thead>
<tbody>${env.recent.map((release) => html`<tr><td>${releaseLink(release.releaseId)}</td><td>${release.version}</td><td>${badge(release.status, 'result')}</td><td>${release.workOrderId === null ? 'CLI' : orderLink(release.workOrderId)}</td><td>${when(release.startedAt)}</td><td>${when(release.finishedAt)}</td></tr>`)}</tbody></table>`
}
</section>`;
}

export async function environmentsPage(db: DbExecutor, viewer: Viewer): Promise<Html> {
  const envs = await environmentsOverview(db, viewer.repos);
  const body = html`<h1>Environments</h1>
${envs.length === 0 ? html`<p class="muted">No environments in the repositories you can read.</p>` : envs.map((env) => environmentSection(env))}`;
  return layout({ title: 'Environments', viewer, current: '/dashboard/environments', body });
}
