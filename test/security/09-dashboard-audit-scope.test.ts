/**
 * Finding 9 (dashboard): audit rows that belong to no work order — a lane opened from a pull request, the lane
 * library's own operations — were shown to every signed-in reader of any installed repository. The lane rows are
 * written by the lane store as the PR-comment path writes them; the audit page is read over real HTTP, signed in
 * through the GitHub OAuth stand-in as a reader of acme/shop only, and as a GitHub user who can read nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoLaneId } from '../../src/lanes/lane-id.ts';
import { DEFAULT_LANE_LIMITS } from '../../src/lanes/lane-limits.ts';
import { closeLane, upsertLane } from '../../src/lanes/lane-store.ts';
import { dashboardClient, type CookieJar, type Visit } from '../helpers/dashboard-browser.ts';
import { HIDDEN_REPO, READABLE_REPO, seedDashboardHistory } from '../helpers/dashboard-seed.ts';
import { startDashboardServer, type DashboardServer } from '../helpers/dashboard-server.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';

let test: TestDatabase;
let server: DashboardServer;
let client: ReturnType<typeof dashboardClient>;

function rowsOf(body: string): string[] {
  const table = /<table[^>]*data-testid="audit"[\s\S]*?<\/table>/.exec(body)?.[0] ?? '';
  return [...table.matchAll(/<tr[ >][\s\S]*?<\/tr>/g)].map((match) => match[0]).slice(1);
}

async function signedIn(login: string): Promise<(path: string) => Promise<Visit>> {
  server.standIn.signInAs(login);
  const jar: CookieJar = (await client.signIn('/dashboard/orders')).jar;
  return (path) => client.visit(path, jar);
}

async function openPullLane(lane: string, repoFullName: string, number: number): Promise<void> {
  const spec = {
    lane: repoLaneId(repoFullName, lane),
    services: { ledger: '9.9.9' },
    calls: [],
    mode: 'fallback' as const,
    ttlMs: 3_600_000,
  };
  await test.database.db.transaction((tx) =>
    upsertLane(tx, spec, 'mallory', { repoFullName, number, limits: DEFAULT_LANE_LIMITS }),
  );
}

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  await seedDashboardHistory(test.database.db);
  await openPullLane('ledger-key-rotation', HIDDEN_REPO, 7);
  await test.database.db.transaction((tx) =>
    closeLane(tx, repoLaneId(HIDDEN_REPO, 'ledger-key-rotation'), 'mallory', 'ledger-lane-closed-secretly'),
  );
  await openPullLane('shop-cart-limit', READABLE_REPO, 2);
  server = await startDashboardServer(test.database, [
    { login: 'ann', id: 2001, installations: { 11: [READABLE_REPO] } },
    { login: 'stranger', id: 2002, installations: {} },
  ]);
  client = dashboardClient(server.base);
});

afterAll(async () => {
  await server?.close();
  await test?.cleanup();
});

describe('finding 9: audit rows without an order are shown only to readers of the repository they concern', () => {
  it("does not show a reader of acme/shop the lane rows of acme/secret-ledger's pull request", async () => {
    const visit = await signedIn('ann');
    const page = await visit('/dashboard/audit?action=lane.*');
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('ledger-key-rotation');
    expect(page.body).not.toContain('ledger-lane-closed-secretly');
    // The lane of the reader's own repository is there, and names it.
    expect(rowsOf(page.body).filter((row) => row.includes('lane.up'))).toHaveLength(1);
    expect(page.body).toContain(READABLE_REPO);
  });

  it('tells a signed-in user who can read no repository nothing about the log, not even its size', async () => {
    const visit = await signedIn('stranger');
    const page = await visit('/dashboard/audit');
    expect(page.status).toBe(200);
    expect(rowsOf(page.body)).toHaveLength(0);
    expect(page.body).not.toMatch(/chain verifies|chain broken|\d+ rows/);
    expect(page.body).not.toContain('data-testid="chain"');
  });
});
