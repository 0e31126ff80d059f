/**
 * The dashboard's pages and live stream over a real database and real HTTP, signed in through the GitHub OAuth
 * stand-in as a user who can read acme/shop but not acme/secret-ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releases, stageEvents, stageOutput, workOrders } from '../../src/db/schema.ts';
import { dashboardClient, type CookieJar, type Visit } from '../helpers/dashboard-browser.ts';
import { HIDDEN_REPO, READABLE_REPO, seedDashboardHistory, type SeededHistory } from '../helpers/dashboard-seed.ts';
import { startDashboardServer, type DashboardServer } from '../helpers/dashboard-server.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { readServerSentEvents } from '../helpers/server-sent-events.ts';
import { createRoutedServer } from '../../src/http/http-server.ts';
import { closeGracefully, listen } from '../../src/http/listen.ts';
import { startDashboard } from '../../src/web/start-dashboard.ts';

let test: TestDatabase;
let server: DashboardServer;
let seeded: SeededHistory;
let client: ReturnType<typeof dashboardClient>;
let jar: CookieJar;
const bodies: string[] = [];

async function get(path: string): Promise<Visit> {
  return client.visit(path, jar);
}

function rowsOf(body: string, testId: string): string[] {
  const table = new RegExp(`<table[^>]*data-testid="${testId}"[\\s\\S]*?</table>`).exec(body)?.[0] ?? '';
  return [...table.matchAll(/<tr[ >][\s\S]*?<\/tr>/g)].map((match) => match[0]).slice(1);
}

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  seeded = await seedDashboardHistory(test.database.db);
  server = await startDashboardServer(
    test.database,
    [
      { login: 'ann', id: 1001, installations: { 11: [READABLE_REPO] } },
      { login: 'mallory', id: 1002, installations: { 11: [READABLE_REPO, HIDDEN_REPO] } },
      { login: 'stranger', id: 1003, installations: {} },
    ],
    { liveRecheckMs: 300 },
  );
  client = dashboardClient(server.base, (visit) => bodies.push(visit.body));
  server.standIn.signInAs('ann');
  jar = (await client.signIn('/dashboard/orders')).jar;
});

afterAll(async () => {
  await server?.close();
  await test?.cleanup();
});

describe('pages', () => {
  it('sends a visitor who is not signed in to sign in, and back to the page afterwards', async () => {
    const anonymous = await client.visit('/dashboard/audit?actor=ann', undefined);
    expect(anonymous.status).toBe(302);
    expect(anonymous.location).toBe('/dashboard/login?return_to=%2Fdashboard%2Faudit%3Factor%3Dann');
    const { url, last } = await client.signIn('/dashboard/audit?actor=ann');
    expect(url).toBe(`${server.base}/dashboard/audit?actor=ann`);
    expect(last.status).toBe(200);
  });

  it('lists the orders of readable repositories only, with filters and paging', async () => {
    const all = await get('/dashboard/orders');
    expect(all.status).toBe(200);
    expect(all.headers.get('content-security-policy')).toContain("script-src 'self'");
    const rows = rowsOf(all.body, 'orders');
    expect(rows).toHaveLength(3);
    expect(all.body).not.toContain(HIDDEN_REPO);
    expect(all.body).not.toContain('Rotate ledger keys');
    // Titles are text, never markup.
    expect(all.body).toContain('Hotfix &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(all.body).not.toContain('<script>alert(1)</script>');

    expect(
      rowsOf((await get('/dashboard/orders?state=planned')).body, 'orders').map((row) => /#(\d+)</.exec(row)?.[1]),
    ).toEqual(['2']);
    // carol approved #1 and #2; quinn requested #3.
    expect(
      rowsOf((await get('/dashboard/orders?person=carol')).body, 'orders').map((row) => /#(\d+)</.exec(row)?.[1]),
    ).toEqual(['2', '1']);
    expect(rowsOf((await get('/dashboard/orders?person=quinn')).body, 'orders')).toHaveLength(1);
    expect(
      rowsOf((await get('/dashboard/orders?project=storefront&environment=production&app=shop')).body, 'orders'),
    ).toHaveLength(3);
    expect(rowsOf((await get('/dashboard/orders?project=finance')).body, 'orders')).toHaveLength(0);
    expect(
      rowsOf((await get('/dashboard/orders?from=2026-11-04&to=2026-11-04')).body, 'orders').map(
        (row) => /#(\d+)</.exec(row)?.[1],
      ),
    ).toEqual(['2']);
    const bad = await get('/dashboard/orders?from=yesterday&state=sideways');
    expect(bad.status).toBe(200);
    expect(bad.body).toContain('Ignored: state:');
    expect(bad.body).toContain('from: must be a date like 2026-12-06');
    expect(rowsOf(bad.body, 'orders')).toHaveLength(3);
  });

  it('pages through many orders', async () => {
    const extra = Array.from({ length: 30 }, (_, index) => ({
      repoFullName: READABLE_REPO,
      installationId: 4242,
      kind: 'issue' as const,
      number: 100 + index,
      title: `Paged order ${index}`,
      requester: 'pager',
      app: 'shop',
      environment: 'staging',
      createdAt: new Date(Date.UTC(2026, 9, 1 + index)),
    }));
    await test.database.db.insert(workOrders).values(extra);
    const first = await get('/dashboard/orders?person=pager');
    expect(rowsOf(first.body, 'orders')).toHaveLength(25);
    expect(first.body).toContain('page 1 of 2 · 30 in all');
    const second = await get('/dashboard/orders?person=pager&page=2');
    expect(rowsOf(second.body, 'orders')).toHaveLength(5);
    expect(second.body).toContain('Paged order 0<');
    expect(second.body).toContain('rel="prev"');
  });

  it("shows an order's timeline, plan, approvals, stages × hosts grid and output", async () => {
    const page = await get(`/dashboard/orders/${seeded.releasedOrderId}`);
    expect(page.status).toBe(200);
    expect(rowsOf(page.body, 'timeline')).toHaveLength(6);
    expect(page.body).toContain('version: &quot;2.0.1&quot;');
    expect(rowsOf(page.body, 'approvals')).toHaveLength(2);
    const cells = [...page.body.matchAll(/data-host="(web-\d)" data-stage="(\w+)" data-result="(\w*)"/g)].map(
      (match) => `${match[1]}:${match[2]}:${match[3]}`,
    );
    expect(cells.filter((cell) => cell.endsWith(':ok'))).toHaveLength(16);
    expect(cells).toContain('web-2:monitor:skipped');
    expect(page.body).toContain('[post_deploy] migrations applied on web-2');
    expect(page.body).toContain('src="/dashboard/assets/live.js"');
  });

  it('answers 404 for an order of a repository the viewer cannot read, and for its event stream', async () => {
    const page = await get(`/dashboard/orders/${seeded.hiddenOrderId}`);
    expect(page.status).toBe(404);
    const missing = await get('/dashboard/orders/999999');
    expect(missing.status).toBe(404);
    expect(page.body).toBe(missing.body);
    const stream = await get(`/dashboard/orders/${seeded.hiddenOrderId}/events`);
    expect(stream.status).toBe(404);
    const anonymous = await client.visit(`/dashboard/orders/${seeded.releasedOrderId}/events`, undefined);
    expect(anonymous.status).toBe(401);
  });

  it('leads the links in GitHub and Slack (/orders/<id>) to the order page', async () => {
    const link = await client.visit(`/orders/${seeded.releasedOrderId}`, undefined);
    expect(link.status).toBe(302);
    expect(link.location).toBe(`/dashboard/orders/${seeded.releasedOrderId}`);
  });

  it('shows environments: live versions per host, the lock holder and who waits, the last releases', async () => {
    const page = await get('/dashboard/environments');
    expect(page.status).toBe(200);
    expect(page.body).toContain('locked by dora: database maintenance');
    expect(page.body).toContain(`href="/dashboard/orders/${seeded.waitingOrderId}"`);
    const live = rowsOf(page.body, 'live-versions');
    expect(live.map((row) => [...row.matchAll(/<td>([^<]*)<\/td>/g)].map((match) => match[1]).slice(0, 2))).toEqual([
      ['web-1', '2.0.1'],
      ['web-2', '2.0.1'],
    ]);
    expect(rowsOf(page.body, 'recent-releases')).toHaveLength(1);
    expect(page.body).not.toContain('ledger');
  });

  it('searches the audit log within readable repositories and says the chain verifies', async () => {
    const page = await get('/dashboard/audit');
    expect(page.body).toContain('data-chain="verifies"');
    expect(page.body).toContain('chain verifies</span> 11 rows');
    // 8 rows of acme/shop orders; the ledger's 2 rows are not shown, nor the lane library's row (it concerns no
    // repository: the operator's, shown to nobody on the dashboard).
    expect(rowsOf(page.body, 'audit')).toHaveLength(8);
    expect(page.body).not.toContain('ledger-secret-reason');
    expect(rowsOf((await get('/dashboard/audit?actor=ann')).body, 'audit')).toHaveLength(1);
    expect(rowsOf((await get('/dashboard/audit?action=work_order.*')).body, 'audit')).toHaveLength(8);
    expect(rowsOf((await get('/dashboard/audit?action=lane.instance_added')).body, 'audit')).toHaveLength(0);
    expect(rowsOf((await get(`/dashboard/audit?order=${seeded.plannedOrderId}`)).body, 'audit')).toHaveLength(2);
    expect(rowsOf((await get(`/dashboard/audit?order=${seeded.hiddenOrderId}`)).body, 'audit')).toHaveLength(0);
    expect(rowsOf((await get('/dashboard/audit?from=2099-01-01')).body, 'audit')).toHaveLength(0);
  });

  it('says so when the audit chain is broken', async () => {
    // Only a superuser can do this: the append-only trigger refuses UPDATE.
    await test.database.db.transaction(async (tx) => {
      await tx.execute('set local session_replication_role = replica');
      await tx.execute("update audit_log set reason = 'rewritten' where id = 3");
    });
    const page = await get('/dashboard/audit');
    expect(page.body).toContain('data-chain="broken"');
    expect(page.body).toContain('at row #3 (hash-mismatch)');
  });

  it('shows the lane library, the lanes and what reuse saved', async () => {
    const page = await get('/dashboard/lanes');
    expect(page.body).toContain('data-lane="feature-42"');
    expect(page.body).toContain('cart@1 <span class="muted">deployed</span>');
    expect(rowsOf(page.body, 'instances')).toHaveLength(2);
  });

  it('shows a signed-in GitHub user who can read no installed repository nothing, not even the lane library', async () => {
    server.standIn.signInAs('stranger');
    const stranger = (await client.signIn('/dashboard/orders')).jar;
    server.standIn.signInAs('ann');
    const visit = (path: string): Promise<Visit> => client.visit(path, stranger);
    expect(rowsOf((await visit('/dashboard/orders')).body, 'orders')).toHaveLength(0);
    const audit = await visit('/dashboard/audit');
    expect(audit.status).toBe(200);
    expect(rowsOf(audit.body, 'audit')).toHaveLength(0);
    expect(rowsOf((await visit('/dashboard/audit?action=lane.instance_added')).body, 'audit')).toHaveLength(0);
    const lanesPage = await visit('/dashboard/lanes');
    expect(lanesPage.status).toBe(200);
    expect(rowsOf(lanesPage.body, 'instances')).toHaveLength(0);
    expect(lanesPage.body).not.toContain('feature-42');
    expect(lanesPage.body).not.toContain('cart@1');
  });
});

describe('configuration', () => {
  it('says how to configure sign-in when the App has no OAuth client, and refuses half a client', async () => {
    const quiet = { info: () => undefined, warn: () => undefined };
    const options = {
      database: test.database,
      webhookSecret: 'w'.repeat(20),
      publicUrl: 'http://127.0.0.1',
      githubApiUrl: 'https://api.github.com',
      log: quiet,
    };
    const half = await startDashboard({ ...options, env: { GITHUB_CLIENT_ID: 'Iv23abc' } });
    expect(half).toEqual({
      ok: false,
      problems: ['GITHUB_CLIENT_SECRET: required when GITHUB_CLIENT_ID is set (a client secret of the App)'],
    });
    const started = await startDashboard({ ...options, env: {} });
    if (!started.ok) throw new Error('not started');
    const bare = createRoutedServer(new Map(started.routes), { error: () => undefined });
    const port = await listen(bare, 0, '127.0.0.1');
    try {
      const page = await fetch(`http://127.0.0.1:${port}/dashboard/orders`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET');
    } finally {
      await closeGracefully(bare, 1_000);
      await started.stop();
    }
  });
});

describe('live progress', () => {
  it('streams the grid again whenever a stage event or output line of the order is written', async () => {
    const events = readServerSentEvents(
      `${server.base}/dashboard/orders/${seeded.plannedOrderId}/events`,
      jar.header(),
    );
    const first = await events.next((event) => event.event === 'progress');
    expect(first.data).toContain('No release yet.');
    await test.database.db.insert(releases).values({
      workOrderId: seeded.plannedOrderId,
      releaseId: 'rel-shop-2',
      repoFullName: READABLE_REPO,
      app: 'shop',
      environment: 'production',
      version: '2.1.0',
      status: 'running',
      startedAt: new Date(),
    });
    await events.next((event) => event.data.includes('rel-shop-2'));
    await test.database.db
      .insert(stageEvents)
      .values({ releaseId: 'rel-shop-2', host: 'web-1', stage: 'check', result: 'started' });
    await events.next((event) => event.data.includes('data-host="web-1" data-stage="check" data-result="started"'));
    await test.database.db
      .insert(stageOutput)
      .values({ releaseId: 'rel-shop-2', host: 'web-1', stage: 'check', stream: 'stdout', line: 'disk ok' });
    await events.next((event) => event.data.includes('[check] disk ok'));
    await test.database.db
      .insert(stageEvents)
      .values({ releaseId: 'rel-shop-2', host: 'web-1', stage: 'check', result: 'ok', durationMs: 40 });
    await events.next((event) => event.data.includes('data-host="web-1" data-stage="check" data-result="ok"'));
    // Writes of another order's release do not concern this stream (and never reach it).
    await test.database.db.insert(stageOutput).values({
      releaseId: 'rel-ledger-1',
      host: 'vault-1',
      stage: 'check',
      stream: 'stdout',
      line: 'second ledger secret',
    });
    await test.database.db
      .insert(stageEvents)
      .values({ releaseId: 'rel-shop-2', host: 'web-2', stage: 'check', result: 'started' });
    const later = await events.next((event) => event.data.includes('data-host="web-2"'));
    expect(later.data).not.toContain('ledger');
    expect(events.seen().some((event) => event.data.includes('ledger'))).toBe(false);
    await events.close();
  });

  it('ends the stream once the viewer signs out', async () => {
    const own = (await client.signIn('/dashboard/orders')).jar;
    const events = readServerSentEvents(
      `${server.base}/dashboard/orders/${seeded.releasedOrderId}/events`,
      own.header(),
    );
    await events.next((event) => event.event === 'progress');
    const page = await client.visit('/dashboard/orders', own);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const out = await client.visit('/dashboard/logout', own, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(out.status).toBe(303);
    const gone = await events.next((event) => event.event === 'gone');
    expect(gone.data).toBe('signed out');
    await events.closed();
  });

  it('never shows the other repository to its non-readers anywhere', () => {
    for (const body of bodies) {
      expect(body).not.toContain('Rotate ledger keys');
      expect(body).not.toContain('ledger master key');
      expect(body).not.toContain('secret_plan');
    }
  });
});
