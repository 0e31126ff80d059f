/**
 * The library page's edit form over real HTTP and a real database: the local viewer of `yardmaster dashboard` (one-time
 * sign-in link) edits an instance's description, owner, labels and baseline (audited by `dashboard:<login>`), with
 * the lanes API's bounds; a form without the session's token is refused. A GitHub user of the server's dashboard sees
 * no form and is refused (403) even with the right token.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, laneInstances } from '../../src/db/schema.ts';
import { createRoutedServer } from '../../src/http/http-server.ts';
import { closeGracefully, listen } from '../../src/http/listen.ts';
import { startLocalDashboard, type LocalDashboard } from '../../src/web/start-dashboard.ts';
import { CookieJar, dashboardClient } from '../helpers/dashboard-browser.ts';
import { seedDashboardHistory } from '../helpers/dashboard-seed.ts';
import { startDashboardServer, type DashboardServer } from '../helpers/dashboard-server.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let test: TestDatabase;
let local: LocalDashboard;
let bare: ReturnType<typeof createRoutedServer>;
let base: string;
let github: DashboardServer;

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  await seedDashboardHistory(test.database.db);
  local = await startLocalDashboard({ database: test.database, login: 'ops', log: quiet });
  bare = createRoutedServer(new Map(local.routes), { error: () => undefined });
  base = `http://127.0.0.1:${await listen(bare, 0, '127.0.0.1')}`;
  github = await startDashboardServer(test.database, [
    { login: 'ann', id: 1001, installations: { 11: ['acme/shop'] } },
  ]);
});

afterAll(async () => {
  if (bare !== undefined) await closeGracefully(bare, 1_000);
  await local?.stop();
  await github?.close();
  await test?.cleanup();
});

function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

async function cart(version: string): Promise<typeof laneInstances.$inferSelect | undefined> {
  const [row] = await test.database.db
    .select()
    .from(laneInstances)
    .where(eq(laneInstances.version, version))
    .orderBy(asc(laneInstances.id));
  return row;
}

describe('the library page edit form', () => {
  it('lets the local operator edit an instance, bounded and audited', async () => {
    const client = dashboardClient(base);
    const jar = new CookieJar();
    const signedIn = await client.browse(`/dashboard/?token=${local.newSignInToken()}`, jar);
    expect(signedIn.last.status).toBe(200);
    const page = await client.visit('/dashboard/lanes', jar);
    expect(page.body).toContain('action="/dashboard/lanes/instances/cart/1"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    expect(csrf).not.toBe('');

    const saved = await client.visit(
      '/dashboard/lanes/instances/cart/1',
      jar,
      form({ csrf, description: 'cart with <b>coupons</b>', owner: 'team-cart', labels: 'ticket=CART-7\nenv = qa\n' }),
    );
    expect({ status: saved.status, location: saved.location }).toEqual({ status: 303, location: '/dashboard/lanes' });
    expect(await cart('1')).toMatchObject({
      description: 'cart with <b>coupons</b>',
      owner: 'team-cart',
      labels: { ticket: 'CART-7', env: 'qa' },
      baseline: false,
    });
    const shown = await client.visit('/dashboard/lanes', jar);
    expect(shown.body).toContain('cart with &lt;b&gt;coupons&lt;/b&gt;');
    expect(shown.body).toContain('<code>ticket=CART-7</code>');

    // The form holds every label: one left out is removed; baseline ticked moves the baseline.
    const again = await client.visit(
      '/dashboard/lanes/instances/cart/1',
      jar,
      form({ csrf, description: '', owner: 'team-cart', labels: 'env=qa', baseline: 'on' }),
    );
    expect(again.status).toBe(303);
    expect(await cart('1')).toMatchObject({ description: '', labels: { env: 'qa' }, baseline: true });
    expect(await cart('baseline')).toMatchObject({ baseline: false });

    const refused: [Record<string, string>, number, RegExp][] = [
      [{ description: 'x'.repeat(501) }, 400, /description is limited to 500 characters/],
      [{ labels: 'no equals sign' }, 400, /expected key=value/],
      [{ labels: '-bad=1' }, 400, /label key/],
      [{ owner: 'a\u0007b' }, 400, /owner must be one line/],
    ];
    for (const [fields, status, message] of refused) {
      const answer = await client.visit('/dashboard/lanes/instances/cart/1', jar, form({ csrf, ...fields }));
      expect([fields, answer.status]).toEqual([fields, status]);
      expect(answer.body).toMatch(message);
    }
    expect((await client.visit('/dashboard/lanes/instances/cart/404', jar, form({ csrf, owner: 'x' }))).status).toBe(
      404,
    );
    const forged = await client.visit(
      '/dashboard/lanes/instances/cart/1',
      jar,
      form({ csrf: 'forged', owner: 'evil' }),
    );
    expect(forged.status).toBe(403);
    expect(
      (await client.visit('/dashboard/lanes/instances/cart/1', undefined, form({ csrf, owner: 'x' }))).status,
    ).toBe(401);
    expect((await cart('1'))?.owner).toBe('team-cart');

    const audit = await test.database.db
      .select({ actor: auditLog.actor, data: auditLog.data })
      .from(auditLog)
      .where(eq(auditLog.reason, 'metadata edited'))
      .orderBy(asc(auditLog.id));
    expect(audit.map((row) => row.actor)).toEqual(['dashboard:ops', 'dashboard:ops']);
    expect(audit[1]?.data).toMatchObject({
      service: 'cart',
      version: '1',
      changes: {
        baseline: { from: false, to: true },
        labels: { from: { ticket: 'CART-7', env: 'qa' }, to: { env: 'qa' } },
      },
    });
  });

  it('shows a GitHub user of the server no form, and refuses one they forge', async () => {
    const client = dashboardClient(github.base);
    github.standIn.signInAs('ann');
    const { jar } = await client.signIn('/dashboard/lanes');
    const page = await client.visit('/dashboard/lanes', jar);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('data-testid="edit-instance"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const answer = await client.visit('/dashboard/lanes/instances/cart/1', jar, form({ csrf, owner: 'ann' }));
    expect(answer.status).toBe(403);
    expect((await cart('1'))?.owner).toBe('team-cart');
  });
});
