import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rawRows } from '../../src/db/raw-rows.ts';
import { approvals, workOrders } from '../../src/db/schema.ts';
import type { Db } from '../../src/db/types.ts';
import { openQueue } from '../../src/dispatch/queue.ts';
import type { Queue, QueueJob } from '../../src/dispatch/types.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const queues = {
  release: { schema: z.object({ workOrderId: z.number().int(), marker: z.string() }), retryLimit: 0 },
  once: { schema: z.object({ marker: z.string() }), policy: 'exclusive' },
  // No worker: jobs stay queued, so cancelling them can be observed.
  idle: { schema: z.object({ marker: z.string() }) },
} as const;

type Release = QueueJob<{ workOrderId: number; marker: string }>;

/** Jobs a worker received, and a way to wait for one by its marker (the test's own timeout bounds the wait). */
function inbox() {
  const received = new Map<string, { job: Release; at: number }>();
  const waiters = new Map<string, (job: Release) => void>();
  return {
    received,
    handler: (job: Release) => {
      received.set(job.data.marker, { job, at: Date.now() });
      waiters.get(job.data.marker)?.(job);
      return Promise.resolve();
    },
    next(marker: string): Promise<Release> {
      const seen = received.get(marker);
      if (seen !== undefined) return Promise.resolve(seen.job);
      return new Promise((resolve) => waiters.set(marker, resolve));
    },
  };
}

async function jobRow(db: Db, id: string): Promise<{ state: string; startedOnOrAfter: boolean | null } | null> {
  const [row] = rawRows(
    await db.execute(
      sql`select state::text as state, started_on >= start_after as started_on_or_after from pgboss.job where id = ${id}::uuid`,
    ),
  );
  if (row === undefined) return null;
  const parsed = z.object({ state: z.string(), started_on_or_after: z.boolean().nullable() }).parse(row);
  return { state: parsed.state, startedOnOrAfter: parsed.started_on_or_after };
}

async function jobsWithMarker(db: Db, marker: string): Promise<number> {
  const [row] = rawRows(
    await db.execute(sql`select count(*)::int as n from pgboss.job where data->>'marker' = ${marker}`),
  );
  return z.object({ n: z.number() }).parse(row).n;
}

describe.each(BACKENDS)('job queue on %s', (backend) => {
  let test: TestDatabase;
  let queue: Queue<typeof queues>;
  let workOrderId: number;
  const box = inbox();

  beforeAll(async () => {
    test = await openTestDatabase(backend);
    queue = await openQueue(test.database, {
      queues,
      onError: (error) => {
        console.error(`pg-boss (${backend}):`, error);
      },
    });
    await queue.work('release', box.handler, { pollingIntervalSeconds: 0.5 });
    const [order] = await test.database.db
      .insert(workOrders)
      .values({
        repoFullName: 'acme/shop',
        installationId: 1,
        kind: 'issue',
        number: 3,
        title: 'Release',
        requester: 'octocat',
      })
      .returning({ id: workOrders.id });
    if (order === undefined) throw new Error('no work order');
    workOrderId = order.id;
  });
  afterAll(async () => {
    await queue.stop({ timeoutMs: 2_000 });
    await test.cleanup();
  });

  it('delivers an enqueued job to a worker with its data', async () => {
    const id = await queue.send('release', { workOrderId, marker: 'now' });
    expect(id).toEqual(expect.any(String));
    const job = await box.next('now');
    expect(job.id).toBe(id);
    expect(job.data).toEqual({ workOrderId, marker: 'now' });
    expect(job.retryCount).toBe(0);
  });

  it('does not start a job before its startAfter', async () => {
    const startAfter = new Date(Date.now() + 2_500);
    const id = await queue.send('release', { workOrderId, marker: 'later' }, { startAfter });
    if (id === null) throw new Error('not enqueued');
    // A job sent afterwards with no delay overtakes it: workers are polling, the delayed one is just not due.
    await queue.send('release', { workOrderId, marker: 'overtaking' });
    await box.next('overtaking');
    await box.next('later');
    const received = box.received.get('later');
    expect(received?.at).toBeGreaterThanOrEqual(startAfter.getTime());
    // The database's own view, with no clock of ours involved: it was claimed at or after its start time.
    expect(await jobRow(test.database.db, id)).toMatchObject({ startedOnOrAfter: true });
  });

  it('enqueues in the same transaction as the approval: both commit together', async () => {
    const id = await test.database.db.transaction(async (tx) => {
      await tx.insert(approvals).values({
        workOrderId,
        actor: 'ops-1',
        source: 'github',
        digest: 'd1',
        verdict: 'approved',
        sourceRef: 'review:1',
      });
      return queue.send('release', { workOrderId, marker: 'committed' }, { tx });
    });
    const job = await box.next('committed');
    expect(job.id).toBe(id);
    expect(await test.database.db.select().from(approvals).where(eq(approvals.sourceRef, 'review:1'))).toHaveLength(1);
  });

  it('enqueues in the same transaction as the approval: both roll back together', async () => {
    await expect(
      test.database.db.transaction(async (tx) => {
        await tx.insert(approvals).values({
          workOrderId,
          actor: 'ops-2',
          source: 'github',
          digest: 'd1',
          verdict: 'approved',
          sourceRef: 'review:2',
        });
        await queue.send('release', { workOrderId, marker: 'rolled-back' }, { tx });
        expect(await jobsWithMarker(tx, 'rolled-back')).toBe(1);
        throw new Error('quorum check failed');
      }),
    ).rejects.toThrow('quorum check failed');
    expect(await jobsWithMarker(test.database.db, 'rolled-back')).toBe(0);
    expect(await test.database.db.select().from(approvals).where(eq(approvals.sourceRef, 'review:2'))).toEqual([]);
  });

  it('refuses a second job with the same singletonKey on an exclusive queue', async () => {
    const first = await queue.send('once', { marker: 'a' }, { singletonKey: `order-${workOrderId}` });
    const second = await queue.send('once', { marker: 'b' }, { singletonKey: `order-${workOrderId}` });
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
  });

  it('cancels a queued job inside a transaction only if the transaction commits', async () => {
    const id = await queue.send('idle', { marker: 'to-cancel' }, { startAfter: new Date(Date.now() + 3_600_000) });
    if (id === null) throw new Error('not enqueued');
    await expect(
      test.database.db.transaction(async (tx) => {
        expect(await queue.cancel('idle', id, { tx })).toBe(true);
        throw new Error('plan replaced, but the transaction failed');
      }),
    ).rejects.toThrow('transaction failed');
    expect(await jobRow(test.database.db, id)).toMatchObject({ state: 'created' });
    const cancelled = await test.database.db.transaction((tx) => queue.cancel('idle', id, { tx }));
    expect(cancelled).toBe(true);
    expect(await jobRow(test.database.db, id)).toMatchObject({ state: 'cancelled' });
    // Cancelling again finds nothing left to cancel.
    expect(await queue.cancel('idle', id)).toBe(false);
  });

  it('refuses data that does not match the queue schema before storing it', async () => {
    // @ts-expect-error: workOrderId must be a number; the runtime check holds for untyped callers too.
    await expect(queue.send('release', { workOrderId: 'x', marker: 'bad' })).rejects.toThrow();
    expect(await jobsWithMarker(test.database.db, 'bad')).toBe(0);
  });
});
