/**
 * `yardmaster dashboard` as a real process: it prints a one-time sign-in link; Chromium opens it, gets the normal
 * session cookie and sees every repository's pages as the local user; the same link is refused the second time, and
 * nothing is visible without it. Also on a fresh embedded database (created by the command).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser.ts';
import { HIDDEN_REPO, READABLE_REPO, seedDashboardHistory } from '../helpers/dashboard-seed.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { spawnNode, type SpawnedProcess } from '../helpers/spawned-process.ts';

const BIN = fileURLToPath(new URL('../../bin/yardmaster.js', import.meta.url));

/** Starts `yardmaster dashboard --port 0 <args>` and returns it with the sign-in link it printed. */
async function startDashboardCommand(
  args: string[],
  cwd: string,
  timeoutMs = 60_000,
): Promise<{ cli: SpawnedProcess; link: URL }> {
  const cli = spawnNode([BIN, 'dashboard', '--port', '0', ...args], { HOME: cwd, USER: 'tester' }, cwd);
  try {
    const line = await cli.waitForLine((text) => text.includes('/dashboard/?token='), timeoutMs);
    return { cli, link: new URL(line.trim()) };
  } catch (error) {
    cli.child.kill('SIGKILL');
    throw error;
  }
}

async function stop(cli: SpawnedProcess): Promise<void> {
  cli.child.kill('SIGTERM');
  expect(await cli.exited(60_000)).toBe(0);
}

describe('yardmaster dashboard', () => {
  let browser: Browser;
  let test: TestDatabase;
  let work: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    test = await openTestDatabase('postgres');
    await seedDashboardHistory(test.database.db);
    work = await mkdtemp(join(tmpdir(), 'ym-cli-dashboard-'));
  });

  afterAll(async () => {
    await browser?.close();
    await test?.cleanup();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('signs in once with the printed link and shows every repository to the local user', async () => {
    const { cli, link } = await startDashboardCommand(['--database-url', test.url ?? ''], work);
    try {
      expect(link.hostname).toBe('127.0.0.1');
      expect(cli.output()).toContain('it works once');
      const base = link.origin;
      // Without the link nothing is visible: pages go to the sign-in page, which says where the link is.
      const anonymous = await fetch(`${base}/dashboard/orders`, { redirect: 'manual' });
      expect(anonymous.status).toBe(302);
      expect(anonymous.headers.get('location')).toMatch(/^\/dashboard\/login/);
      const login = await fetch(`${base}/dashboard/login`);
      expect(login.status).toBe(401);
      expect(await login.text()).toContain('yardmaster dashboard');
      expect((await fetch(`${base}/dashboard/orders/1/events`)).status).toBe(401);

      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const response = await page.goto(link.toString());
      expect(response?.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/dashboard/orders');
      expect(page.url()).not.toContain('token=');
      expect(await page.getByTestId('viewer').textContent()).toBe('local:tester');
      const orders = await page.locator('[data-testid="orders"]').textContent();
      expect(orders).toContain(READABLE_REPO);
      expect(orders).toContain(HIDDEN_REPO);
      expect(orders).toContain('Rotate ledger keys');
      await screenshot(page, 'cli-dashboard-orders');
      await page.click('header nav a:text("Environments")');
      await page.waitForURL('**/dashboard/environments');
      expect(await page.locator('[data-testid="live-versions"]').count()).toBeGreaterThan(0);
      await page.click('header nav a:text("Audit")');
      await page.waitForURL('**/dashboard/audit');
      expect(await page.getByTestId('chain').getAttribute('data-chain')).toBe('verifies');
      expect(await page.locator('[data-testid="audit"] tbody tr').count()).toBeGreaterThan(0);
      // Rows about no repository (the lane library's) too, which GitHub users never see.
      await page.goto(`${base}/dashboard/audit?actor=cli%3Aops`);
      expect(await page.locator('[data-testid="audit"] tbody tr').count()).toBe(1);
      await page.goto(`${base}/dashboard/lanes`);
      expect(await page.locator('[data-testid="lanes"] tbody tr').count()).toBeGreaterThan(0);
      const stats = await page.goto(`${base}/dashboard/stats?from=2026-11-01&to=2026-11-30`);
      expect(stats?.status()).toBe(200);
      expect(await page.locator('figure svg [data-point]').count()).toBeGreaterThan(0);
      // The same link in the signed-in browser just leads on.
      expect((await page.goto(link.toString()))?.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/dashboard/orders');

      // A second use anywhere else is refused.
      const other = await browser.newContext();
      const second = await other.newPage();
      const refused = await second.goto(link.toString());
      expect(refused?.status()).toBe(403);
      expect(await second.getByTestId('auth-message').textContent()).toContain('already used');
      expect((await second.goto(`${base}/dashboard/orders`))?.status()).toBe(401);
      expect(new URL(second.url()).pathname).toBe('/dashboard/login');
      await other.close();

      // Signing out ends the session.
      await page.click('form[action="/dashboard/logout"] button');
      await page.waitForURL('**/dashboard/login?signed_out=1');
      expect((await page.goto(`${base}/dashboard/orders`))?.status()).toBe(401);
      await context.close();
    } finally {
      await stop(cli).finally(() => cli.child.kill('SIGKILL'));
    }
  }, 180_000);

  it('creates the embedded database when there is none, and prints its usage with --help', async () => {
    const dataDir = join(work, 'pglite');
    // Creating and migrating an embedded database takes a while on a busy machine.
    const { cli, link } = await startDashboardCommand(['--data-dir', dataDir], work, 240_000);
    try {
      expect(cli.output()).toContain(`the embedded database in ${dataDir}`);
      const signIn = await fetch(link, { redirect: 'manual' });
      expect(signIn.status).toBe(302);
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(cookie).toMatch(/^ym_session=/);
      const orders = await fetch(`${link.origin}/dashboard/orders`, { headers: { cookie } });
      expect(orders.status).toBe(200);
      expect(await orders.text()).toContain('local:tester');
      expect((await fetch(link, { redirect: 'manual' })).status).toBe(403);
    } finally {
      await stop(cli).finally(() => cli.child.kill('SIGKILL'));
    }
    const help = spawnNode([BIN, 'dashboard', '--help'], { HOME: work }, work);
    expect(await help.exited()).toBe(0);
    expect(help.output()).toContain('usage: yardmaster dashboard');
  }, 360_000);
});
