/**
 * `yardmaster dashboard` as a real process: it prints a one-time sign-in link; Chromium opens it, gets the normal
 * session cookie and sees every repository's pages as the local user; the same link is refused the second time, and
 * nothing is visible without it. Also on a fresh embedded database (created by the command), where a `yardmaster
 * deploy` run meanwhile in another process to sshd hosts shows up: on the environments page, and live on its release
 * page, with its audit rows by `cli:<user>`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser.ts';
import { HIDDEN_REPO, READABLE_REPO, seedDashboardHistory } from '../helpers/dashboard-seed.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { fleetConfigYaml, planYaml } from '../helpers/cli-files.ts';
import { buildPackage } from '../helpers/release-fixtures.ts';
import { spawnNode, type SpawnedProcess } from '../helpers/spawned-process.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

const BIN = fileURLToPath(new URL('../../bin/yardmaster.js', import.meta.url));

/** Starts `yardmaster dashboard --port 0 <args>` and returns it with the sign-in link it printed. */
async function startDashboardCommand(
  args: string[],
  cwd: string,
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<{ cli: SpawnedProcess; link: URL }> {
  const cli = spawnNode([BIN, 'dashboard', '--port', '0', ...args], { HOME: cwd, USER: 'tester', ...env }, cwd);
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

  it('creates the embedded database when there is none, shows a CLI release live, and prints its usage with --help', async () => {
    const env = { XDG_DATA_HOME: join(work, 'xdg') };
    const dataDir = join(work, 'xdg', 'yardmaster', 'pglite');
    const fleet = await startSshdFleet(2);
    // Creating and migrating an embedded database takes a while on a busy machine.
    const { cli, link } = await startDashboardCommand(['--data-dir', dataDir], work, 240_000, env);
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
      await expectCliReleaseShown(fleet, link.origin, cookie, env);
    } finally {
      await stop(cli).finally(() => cli.child.kill('SIGKILL'));
      await fleet.stop();
    }
    const help = spawnNode([BIN, 'dashboard', '--help'], { HOME: work }, work);
    expect(await help.exited()).toBe(0);
    expect(help.output()).toContain('usage: yardmaster dashboard');
  }, 480_000);

  /** Runs `yardmaster deploy` to the fleet (post_deploy takes a while) and follows it on the dashboard in Chromium. */
  async function expectCliReleaseShown(
    fleet: SshdFleet,
    base: string,
    cookie: string,
    env: Record<string, string>,
  ): Promise<void> {
    const pkg = await buildPackage(join(work, 'pkgs'), '4.2.0');
    const config = join(work, 'yardmaster.yml');
    await writeFile(config, fleetConfigYaml(fleet, 'staging: { hosts: [web] }'));
    const plan = join(work, 'plan.yml');
    await writeFile(
      plan,
      planYaml('4.2.0', pkg, '{ mode: serial }', ['commands:', '  post_deploy: ["sleep 2; echo warmed up"]']),
    );
    const deploy = spawnNode(
      [BIN, 'deploy', '--config', config, '--identity', fleet.privateKeyPath, plan],
      { HOME: work, USER: 'tester', ...env },
      work,
    );
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    try {
      const [name, value] = cookie.split('=');
      await context.addCookies([{ name: name ?? '', value: value ?? '', url: base }]);
      const page = await context.newPage();
      // The release is listed while it runs: the dashboard imports the run's journal as it is written.
      await expect
        .poll(
          async () => {
            await page.goto(`${base}/dashboard/environments`);
            return page.locator('[data-testid="recent-releases"] a').count();
          },
          { timeout: 60_000, interval: 300 },
        )
        .toBe(1);
      expect(await page.locator('[data-testid="environment"]').getAttribute('data-environment')).toBe(
        'local/shop/shop/staging',
      );
      await page.click('[data-testid="recent-releases"] a');
      await page.waitForURL('**/dashboard/releases/**');
      // Live: the grid is redrawn as stages finish, until the release has succeeded on both hosts.
      await expect
        .poll(() => page.locator('[data-testid="release"]').getAttribute('data-status'), {
          timeout: 120_000,
          message: deploy.output(),
        })
        .toBe('succeeded');
      expect(Number(await page.locator('#live').getAttribute('data-updates'))).toBeGreaterThan(0);
      expect(await page.locator('[data-outcome="released"]').count()).toBe(2);
      expect(await page.locator('[data-output-host] pre').first().textContent()).toContain('warmed up');
      await screenshot(page, 'cli-dashboard-release');
      const audit = await page.locator('[data-testid="timeline"]').textContent();
      expect(audit).toContain('cli:tester');
      expect(audit).toContain('cli.release.finished');
      expect(await deploy.exited(120_000)).toBe(0);
    } finally {
      await context.close();
      deploy.child.kill('SIGKILL');
    }
  }
});
