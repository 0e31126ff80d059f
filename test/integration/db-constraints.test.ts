import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvals, environmentLocks, webhookDeliveries, workOrders } from '../../src/db/schema.ts';
import type { Db } from '../../src/db/types.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const REPO = 'acme/shop';

/** The SQLSTATE of a failed drizzle query (drizzle wraps the driver's error as `cause`). */
async function sqlState(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string')
      return cause.code;
    throw error;
  }
}

const UNIQUE_VIOLATION = '23505';
const CHECK_VIOLATION = '23514';

describe.each(BACKENDS)('constraints on %s', (backend) => {
  let test: TestDatabase;
  let db: Db;
  let orderId: number;

  beforeAll(async () => {
    test = await openTestDatabase(backend);
    db = test.database.db;
    const [order] = await db
      .insert(workOrders)
      .values({
        repoFullName: REPO,
        installationId: 42,
        kind: 'issue',
        number: 1,
        title: 'Ship it',
        requester: 'octocat',
      })
      .returning({ id: workOrders.id });
    if (order === undefined) throw new Error('no work order');
    orderId = order.id;
  });
  afterAll(async () => {
    await test.cleanup();
  });

  it('records a webhook delivery id once: a redelivery conflicts, and ON CONFLICT DO NOTHING says so', async () => {
    const delivery = { deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958', event: 'issue_comment', action: 'created' };
    const first = await db
      .insert(webhookDeliveries)
      .values(delivery)
      .onConflictDoNothing()
      .returning({ id: webhookDeliveries.id });
    const again = await db
      .insert(webhookDeliveries)
      .values(delivery)
      .onConflictDoNothing()
      .returning({ id: webhookDeliveries.id });
    expect(first).toHaveLength(1);
    expect(again).toEqual([]);
    expect(await sqlState(db.insert(webhookDeliveries).values(delivery))).toBe(UNIQUE_VIOLATION);
    expect(await db.select().from(webhookDeliveries)).toHaveLength(1);
  });

  it('counts an approval once per (source, source_ref): a replayed click or redelivered review conflicts', async () => {
    const vote = {
      workOrderId: orderId,
      actor: 'ops-1',
      source: 'slack',
      digest: 'd1',
      verdict: 'approved',
      sourceRef: '1700000000.000100',
    } as const;
    await db.insert(approvals).values(vote);
    expect(await sqlState(db.insert(approvals).values(vote))).toBe(UNIQUE_VIOLATION);
    // The same ref from another source is another event.
    await db.insert(approvals).values({ ...vote, source: 'github', sourceRef: vote.sourceRef });
    expect(await db.select().from(approvals).where(eq(approvals.workOrderId, orderId))).toHaveLength(2);
  });

  it('keeps one work order per issue', async () => {
    expect(
      await sqlState(
        db.insert(workOrders).values({
          repoFullName: REPO,
          installationId: 42,
          kind: 'issue',
          number: 1,
          title: 'Again',
          requester: 'octocat',
        }),
      ),
    ).toBe(UNIQUE_VIOLATION);
  });

  it('keeps one open pull-request deployment per environment, and allows a new one once it is closed', async () => {
    const deploy = (environment: string) =>
      db
        .insert(workOrders)
        .values({
          repoFullName: REPO,
          installationId: 42,
          kind: 'pull_request',
          number: 9,
          title: 'PR 9',
          requester: 'hubot',
          environment,
        })
        .returning({ id: workOrders.id });
    const [staging] = await deploy('staging');
    await deploy('production');
    expect(await sqlState(deploy('staging'))).toBe(UNIQUE_VIOLATION);
    if (staging === undefined) throw new Error('no order');
    await db.update(workOrders).set({ state: 'accepted', closedAt: new Date() }).where(eq(workOrders.id, staging.id));
    expect(await deploy('staging')).toHaveLength(1);
    // A PR deployment without an environment is refused outright.
    expect(
      await sqlState(
        db.insert(workOrders).values({
          repoFullName: REPO,
          installationId: 42,
          kind: 'pull_request',
          number: 10,
          title: 'PR 10',
          requester: 'hubot',
        }),
      ),
    ).toBe(CHECK_VIOLATION);
  });

  it('refuses words outside the closed vocabularies', async () => {
    expect(await sqlState(db.execute(`update work_orders set state = 'launched' where id = ${orderId}`))).toBe(
      CHECK_VIOLATION,
    );
    expect(
      await sqlState(
        db.execute(
          `insert into approvals (work_order_id, actor, source, digest, verdict, source_ref) values (${orderId}, 'x', 'email', 'd', 'approved', 'r')`,
        ),
      ),
    ).toBe(CHECK_VIOLATION);
  });

  it('has one lock row per app and environment', async () => {
    const lock = {
      repoFullName: REPO,
      app: 'checkout-api',
      environment: 'production',
      holderWorkOrderId: orderId,
      owner: 'worker-1',
    };
    await db.insert(environmentLocks).values(lock);
    expect(await sqlState(db.insert(environmentLocks).values({ ...lock, owner: 'worker-2' }))).toBe(UNIQUE_VIOLATION);
  });
});
