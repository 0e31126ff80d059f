/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core): signing in through the local GitHub
 * OAuth stand-in, every page with content and charts, a user without access to a repository, and the stages × hosts
 * grid following a real release to three sshd hosts live. Screenshots of each page go to .cache/screenshots/
 * (test/e2e/screenshots/ with YM_UPDATE_SCREENSHOTS=1).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { releases } from '../../src/db/schema.ts';
import { findWorkOrder } from '../../src/workorders/service/index.ts';
import { launchBrowser, screenshot } from '../helpers/browser.ts';
import { HIDDEN_REPO, READABLE_REPO, seedDashboardHistory, type SeededHistory } from '../helpers/dashboard-seed.ts';
import { startDashboardServer, type DashboardServer } from '../helpers/dashboard-server.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  formBody,
  issueComment,
  issueOpened,
  repoConfigYaml,
  REPO_FULL_NAME,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { buildPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** A new browser context (its own cookies) signed in as whoever the stand-in lets in, on `path`. */
async function signedInPage(server: DashboardServer, login: string, path: string): Promise<Page> {
  server.standIn.signInAs(login);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const response = await page.goto(`${server.base}${path}`);
  expect(response?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe(path.split('?')[0]);
  // The page has loaded (goto waits for it): its header names the viewer. A poll's 1 s default was too short under load.
  expect(await page.getByTestId('viewer').textContent()).toBe(login);
  return page;
}

describe('pages over a seeded history', () => {
  let test: TestDatabase;
  let server: DashboardServer;
  let seeded: SeededHistory;

  beforeAll(async () => {
    test = await openTestDatabase('postgres');
    seeded = await seedDashboardHistory(test.database.db);
    server = await startDashboardServer(test.database, [
      { login: 'ann', id: 1001, installations: { 11: [READABLE_REPO] } },
      { login: 'mallory', id: 1002, installations: { 11: [READABLE_REPO, HIDDEN_REPO] } },
    ]);
  });

  afterAll(async () => {
    await server?.close();
    await test?.cleanup();
  });

  it('signs in with GitHub and lists the work orders, filtered', async () => {
    const page = await signedInPage(server, 'ann', '/dashboard/orders');
    await expect.poll(() => page.locator('[data-testid="orders"] tbody tr').count()).toBe(3);
    expect(await page.locator('body').textContent()).not.toContain('Rotate ledger keys');
    await screenshot(page, 'orders');
    await page.selectOption('select[name="state"]', 'planned');
    await page.click('form.filters button[type="submit"]');
    await page.waitForURL(/state=planned/);
    expect(await page.locator('[data-testid="orders"] tbody tr').count()).toBe(1);
    await page.click('[data-testid="orders"] tbody tr a');
    await page.waitForURL(`**/dashboard/orders/${seeded.plannedOrderId}`);
    expect(await page.getByTestId('plan').textContent()).toContain('version: "2.1.0"');
    await page.context().close();
  });

  it("shows an order's page with its grid, plan, approvals and timeline", async () => {
    const page = await signedInPage(server, 'ann', `/dashboard/orders/${seeded.releasedOrderId}`);
    expect(await page.locator('[data-testid="stage-grid"] td[data-result="ok"]').count()).toBe(16);
    expect(await page.locator('[data-testid="timeline"] tbody tr').count()).toBe(6);
    expect(await page.locator('[data-testid="approvals"] tbody tr').count()).toBe(2);
    await page.click('details[data-output-host="web-1"] summary');
    expect(await page.locator('details[data-output-host="web-1"] pre').textContent()).toContain(
      'migrations applied on web-1',
    );
    await screenshot(page, 'order');
    await page.context().close();
  });

  it('shows environments, audit (with the chain) and lanes', async () => {
    const page = await signedInPage(server, 'ann', '/dashboard/environments');
    expect(await page.getByTestId('lock').first().textContent()).toContain('locked by dora');
    expect(await page.locator('[data-testid="live-versions"] tbody tr').count()).toBe(2);
    // The latest pre-flight of acme/shop production: the planned order's, failed on web-2; the hidden repo's not shown.
    const preflight = page.getByTestId('preflight');
    expect(await preflight.count()).toBe(1);
    expect(await preflight.textContent()).toBe(
      `Pre-flight: failed on web-2 · order ${String(seeded.plannedOrderId)} · 2026-11-04 11:00:00 UTC`,
    );
    expect(await preflight.locator('span.result.failed').textContent()).toBe('failed');
    await screenshot(page, 'environments');
    await page.click('header nav a:text("Audit")');
    await page.waitForURL('**/dashboard/audit');
    expect(await page.getByTestId('chain').getAttribute('data-chain')).toBe('verifies');
    await page.fill('input[name="actor"]', 'ann');
    await page.click('form.filters button[type="submit"]');
    await page.waitForURL(/actor=ann/);
    expect(await page.locator('[data-testid="audit"] tbody tr').count()).toBe(1);
    await screenshot(page, 'audit');
    await page.click('header nav a:text("Lanes")');
    await page.waitForURL('**/dashboard/lanes');
    expect(await page.locator('[data-testid="lanes"] tbody tr').count()).toBe(1);
    await screenshot(page, 'lanes');
    await page.context().close();
  });

  it('draws the statistics charts with data points', async () => {
    const page = await signedInPage(server, 'ann', '/dashboard/stats?from=2026-11-01&to=2026-11-30');
    const charts = page.locator('figure svg');
    expect(await charts.count()).toBeGreaterThan(2);
    expect(await page.locator('figure svg [data-point]').count()).toBeGreaterThan(0);
    for (const chart of await charts.all()) expect((await chart.boundingBox())?.width ?? 0).toBeGreaterThan(100);
    // Work orders by outcome: the seeded orders were opened in the range, so the chart has bars and the table rows.
    expect(await page.locator('[data-testid="chart-orders-by-outcome"] svg [data-point]').count()).toBeGreaterThan(0);
    const outcomes = page.getByTestId('orders-by-outcome');
    expect(await outcomes.locator('caption').textContent()).toBe('Work orders by outcome per ISO week');
    expect(await outcomes.locator('tbody tr').count()).toBe(6);
    await screenshot(page, 'stats');
    await page.context().close();
  });

  it('gives a user without access to a repository neither its orders nor their live stream', async () => {
    const page = await signedInPage(server, 'ann', '/dashboard/orders');
    const order = await page.goto(`${server.base}/dashboard/orders/${seeded.hiddenOrderId}`);
    expect(order?.status()).toBe(404);
    const stream = await page.evaluate(
      async (url) => (await fetch(url)).status,
      `${server.base}/dashboard/orders/${seeded.hiddenOrderId}/events`,
    );
    expect(stream).toBe(404);
    await page.context().close();
    // Someone who can read it sees it.
    const reader = await signedInPage(server, 'mallory', `/dashboard/orders/${seeded.hiddenOrderId}`);
    expect(await reader.locator('h1').textContent()).toContain('Rotate ledger keys');
    await reader.context().close();
  });
});

describe('a live release', () => {
  let fleet: SshdFleet;
  let work: string;
  let harness: Harness;
  let server: DashboardServer;

  beforeAll(async () => {
    fleet = await startSshdFleet(3);
    work = await mkdtemp(join(tmpdir(), 'ym-e2e-'));
    harness = await startHarness({
      configYaml: repoConfigYaml(
        fleet.hostEntries(),
        'production: { hosts: [web], approvals: 1, approvers: [team:ops] }',
      ),
      fleet,
      workDir: work,
    });
    server = await startDashboardServer(harness.test.database, [
      { login: 'erin', id: 2001, installations: { 4242: [REPO_FULL_NAME] } },
    ]);
  }, 90_000);

  afterAll(async () => {
    await server?.close();
    await harness?.close();
    await fleet?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('updates the stages × hosts grid while the release runs on sshd hosts', async () => {
    const pkg = await buildPackage(join(work, 'pkgs'), '3.1.4');
    await send(
      harness,
      'issues',
      issueOpened(
        77,
        'pam',
        formBody({ requirement: 'Ship live', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
      ),
    );
    const more = 'commands:\n  post_deploy: "echo migrating schema; sleep 1; echo schema migrated"';
    await send(
      harness,
      'issue_comment',
      issueComment(
        77,
        77_001,
        'carol',
        planComment({ environment: 'production', version: '3.1.4', url: pkg.url, sha256: pkg.sha256, more }),
      ),
    );
    const order = await waitFor('the planned order', async () => {
      const found = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 77 });
      return found?.state === 'planned' ? found : undefined;
    });
    const page = await signedInPage(server, 'erin', `/dashboard/orders/${order.id}`);
    expect(await page.locator('#live').textContent()).toContain('No release yet.');

    await send(harness, 'issue_comment', issueComment(77, 77_002, 'erin', '/approve'));
    // Mid-release: some host is in post_deploy, printing.
    await page.waitForSelector('#live td[data-stage="post_deploy"][data-result="started"]', { timeout: 30_000 });
    await screenshot(page, 'order-live');
    await page.waitForSelector('[data-testid="order-state"] .succeeded', { timeout: 60_000 });
    const hosts = fleet.hostEntries().map((host) => host.name);
    for (const host of hosts) {
      // Stages with nothing to run for this plan (no pre-deploy or go-live commands, no health check, no monitor) are skipped.

      const results = await page.locator(`#live td[data-host="${host}"]`).evaluateAll((cells) =>
        // eslint-disable-next-line @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- runs in the browser; the DOM's types are not in this Node project's lib
        cells.map((cell) => `${cell.getAttribute('data-stage') ?? ''}:${cell.getAttribute('data-result') ?? ''}`),
      );
      expect(results.filter((cell) => cell.endsWith(':ok')).map((cell) => cell.split(':')[0])).toEqual([
        'check',
        'fetch',
        'switch',
        'post_deploy',
        'done',
      ]);
      expect(results.filter((cell) => !cell.endsWith(':ok') && !cell.endsWith(':skipped'))).toEqual(['rollback:']);
      expect(await page.locator(`#live td[data-host="${host}"][data-stage="done"]`).getAttribute('data-result')).toBe(
        'ok',
      );
    }
    // The approval and the moves of the order arrived the same way.
    expect(await page.locator('#approvals').textContent()).toContain('erin');
    expect(await page.locator('#timeline').textContent()).toContain('running → succeeded');
    // The page was never reloaded: the grid came over server-sent events, many times.
    expect(Number(await page.locator('#live').getAttribute('data-updates'))).toBeGreaterThan(5);
    await page.click(`details[data-output-host="${hosts[0] ?? ''}"] summary`).catch(() => undefined);
    expect(await page.locator('#live').textContent()).toContain('[post_deploy] schema migrated');
    await screenshot(page, 'order-released');
    // Storing the succeeded result stamped the order for the lead-time statistic.
    const released = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 77 });
    const [row] = await harness.test.database.db.select().from(releases).where(eq(releases.workOrderId, order.id));
    expect(released?.releasedAt).toEqual(row?.finishedAt);
    expect(row?.finishedAt).toBeInstanceOf(Date);
    await page.context().close();
  });
});
