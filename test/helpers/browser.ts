/**
 * Headless Chromium for the dashboard's browser tests: Debian's chromium driven by playwright-core (no browser
 * download), started directly with the flags a closed network needs, a fresh profile each time.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.YM_CHROMIUM ?? '/usr/lib/chromium/chromium';
/**
 * Where a test run's screenshots go: `.cache/screenshots/` (ignored), so a run leaves the work tree clean. The ones
 * kept in the repository for the docs, test/e2e/screenshots/, are refreshed only on purpose, with
 * `YM_UPDATE_SCREENSHOTS=1 npx vitest run test/e2e`.
 */
export const SCREENSHOTS =
  process.env.YM_UPDATE_SCREENSHOTS === '1'
    ? join(import.meta.dirname, '..', 'e2e', 'screenshots')
    : join(import.meta.dirname, '..', '..', '.cache', 'screenshots');

/** Launches Chromium; playwright-core gives it a new empty profile directory. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** A full-page screenshot as <name>.png in {@link SCREENSHOTS}. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
