/**
 * `/dashboard/*`: sign-in routes first, then every page for a signed-in viewer only (others are sent to sign in;
 * the event stream answers 401). Orders of repositories the viewer cannot read answer 404 like orders that do not
 * exist, and so do releases. `/orders/<id>` (the links in GitHub and Slack) lead to the order's page. Pages are
 * GET/HEAD; the one form besides signing out is the lane library's edit form (lane-instance-edit.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/types.ts';
import { requestUrl, type RouteHandler } from '../http/index.ts';
import { loginRedirect } from './auth/login-redirect.ts';
import { streamOrderProgress, streamReleaseProgress } from './live/order-progress-stream.ts';
import type { DashboardNotifications } from './live/dashboard-notifications.ts';
import { LIVE_SCRIPT_SOURCE } from './live/live-script.ts';
import { handleInstanceEdit, INSTANCE_EDIT } from './lane-instance-edit.ts';
import { auditPage } from './pages/audit-page.ts';
import { environmentsPage } from './pages/environments-page.ts';
import { lanesPage } from './pages/lanes-page.ts';
import { orderPage } from './pages/order-page.ts';
import { releasePage } from './pages/release-page.ts';
import { ordersPage } from './pages/orders-page.ts';
import { statsPage } from './pages/stats-page.ts';
import { orderDetail } from './queries/order-detail.ts';
import { releaseAuditRows, releaseDetail } from './queries/release-detail.ts';
import { PAGE_HEADERS, sendPage, sendText } from './send-page.ts';
import type { DashboardAuth, Viewer } from './types.ts';

export interface DashboardDeps {
  db: Db;
  auth: DashboardAuth;
  notifications: DashboardNotifications;
  githubWebUrl: string;
  /** How often an open event stream checks its viewer's session again (default 30 s). */
  liveRecheckMs?: number;
}

function urlOf(request: IncomingMessage): URL {
  return requestUrl(request) ?? new URL('http://localhost/');
}

const ORDER_PAGE = /^\/dashboard\/orders\/(\d{1,15})$/;
const ORDER_EVENTS = /^\/dashboard\/orders\/(\d{1,15})\/events$/;
/** Release ids are the engine's (`<time base36>-<8 hex>`) or a worker's; nothing else reaches a query. */
const RELEASE_PAGE = /^\/dashboard\/releases\/([A-Za-z0-9_.-]{1,100})$/;
const RELEASE_EVENTS = /^\/dashboard\/releases\/([A-Za-z0-9_.-]{1,100})\/events$/;
const EVENT_STREAMS = [ORDER_EVENTS, RELEASE_EVENTS];

async function page(
  deps: DashboardDeps,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  viewer: Viewer,
): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const query = url.searchParams;
  if (path === '/dashboard') {
    response.writeHead(302, { location: '/dashboard/orders', 'cache-control': 'no-store' }).end();
    return;
  }
  if (path === '/dashboard/orders') {
    sendPage(response, await ordersPage(deps.db, viewer, query));
    return;
  }
  if (path === '/dashboard/environments') {
    sendPage(response, await environmentsPage(deps.db, viewer));
    return;
  }
  if (path === '/dashboard/audit') {
    sendPage(response, await auditPage(deps.db, viewer, query));
    return;
  }
  if (path === '/dashboard/lanes') {
    sendPage(response, await lanesPage(deps.db, viewer));
    return;
  }
  if (path === '/dashboard/stats') {
    sendPage(response, await statsPage(deps.db, viewer, query));
    return;
  }
  const orderId = ORDER_PAGE.exec(path)?.[1];
  if (orderId !== undefined) {
    const detail = await orderDetail(deps.db, viewer.repos, Number(orderId));
    if (detail === null) {
      sendText(response, 404, 'No such work order, or not one of a repository you can read.');
      return;
    }
    sendPage(response, orderPage(detail, viewer, deps.githubWebUrl));
    return;
  }
  const releaseId = RELEASE_PAGE.exec(path)?.[1];
  if (releaseId !== undefined) {
    const detail = await releaseDetail(deps.db, viewer.repos, releaseId);
    if (detail === null) {
      sendText(response, 404, 'No such release, or not one of a repository you can read.');
      return;
    }
    sendPage(response, releasePage(detail, await releaseAuditRows(deps.db, releaseId), viewer));
    return;
  }
  const live = {
    db: deps.db,
    notifications: deps.notifications,
    request,
    response,
    viewer,
    recheck: () => deps.auth.viewer(request),
    ...(deps.liveRecheckMs === undefined ? {} : { recheckMs: deps.liveRecheckMs }),
  };
  const releaseStream = RELEASE_EVENTS.exec(path)?.[1];
  if (releaseStream !== undefined) {
    await streamReleaseProgress({ ...live, releaseId: releaseStream });
    return;
  }
  const streamId = ORDER_EVENTS.exec(path)?.[1];
  if (streamId !== undefined) {
    await streamOrderProgress({ ...live, workOrderId: Number(streamId) });
    return;
  }
  sendText(response, 404, 'not found');
}

/** The handler of the `/dashboard/*` prefix route. */
export function dashboardHandler(deps: DashboardDeps): RouteHandler {
  return async (request, response) => {
    const url = urlOf(request);
    if (await deps.auth.handle(request, response, url.pathname)) return;
    if (url.pathname === '/dashboard/assets/live.js') {
      response
        .writeHead(200, {
          'content-type': 'text/javascript; charset=utf-8',
          'cache-control': 'public, max-age=300',
          'x-content-type-options': 'nosniff',
        })
        .end(LIVE_SCRIPT_SOURCE);
      return;
    }
    const edit = INSTANCE_EDIT.exec(url.pathname);
    if (edit !== null && request.method === 'POST') {
      const viewer = await deps.auth.viewer(request);
      if (viewer === null) sendText(response, 401, 'sign in first');
      else
        await handleInstanceEdit(deps, request, response, viewer, { service: edit[1] ?? '', version: edit[2] ?? '' });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, 'method not allowed', { allow: 'GET, HEAD' });
      return;
    }
    const viewer = await deps.auth.viewer(request);
    if (viewer === null) {
      if (EVENT_STREAMS.some((stream) => stream.test(url.pathname))) {
        sendText(response, 401, 'sign in first');
        return;
      }
      loginRedirect(response, `${url.pathname}${url.search}`);
      return;
    }
    await page(deps, request, response, url, viewer);
  };
}

/** The dashboard without sign-in configured: every page says what to set. */
export const dashboardNotConfigured: RouteHandler = (_request, response) => {
  response
    .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...PAGE_HEADERS })
    .end(
      "The dashboard needs sign-in with GitHub: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the App's OAuth client) and restart.\n",
    );
};

/** `/orders/<id>` → `/dashboard/orders/<id>`. */
export const orderLinkRedirect: RouteHandler = (request, response) => {
  const id = /^\/orders\/(\d{1,15})\/?$/.exec(urlOf(request).pathname)?.[1];
  if (id === undefined) {
    sendText(response, 404, 'not found');
    return;
  }
  response.writeHead(302, { location: `/dashboard/orders/${id}`, 'cache-control': 'no-store' }).end();
};
