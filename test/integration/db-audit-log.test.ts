import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { appendAudit, verifyAuditChain, type AuditRow } from '../../src/db/audit-log.ts';
import { GENESIS_HASH } from '../../src/db/audit-hash.ts';
import { rawRows } from '../../src/db/raw-rows.ts';
import { auditLog, workOrders } from '../../src/db/schema.ts';
import type { Database, Db } from '../../src/db/types.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

function append(db: Db, actor: string, reason: string | null = null): Promise<AuditRow> {
  return db.transaction((tx) => appendAudit(tx, { actor, action: 'test.event', reason, data: { actor } }));
}

/** Runs `statement` with the append-only trigger off, as a superuser could: the chain must still tell. */
async function tamper(db: Db, statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger audit_log_refuse_update_delete`);
    await tx.execute(statement);
    await tx.execute(sql`alter table audit_log enable trigger audit_log_refuse_update_delete`);
  });
}

async function rows(db: Db): Promise<AuditRow[]> {
  return db.select().from(auditLog).orderBy(asc(auditLog.id));
}

describe.each(BACKENDS)('audit log on %s', (backend) => {
  let test: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    test = await openTestDatabase(backend);
    db = test.database.db;
  });
  afterAll(async () => {
    await test.cleanup();
  });

  it('chains each row to the one before and verifies the chain', async () => {
    const [order] = await db
      .insert(workOrders)
      .values({
        repoFullName: 'acme/shop',
        installationId: 1,
        kind: 'issue',
        number: 7,
        title: 'Release 2.4.1',
        requester: 'octocat',
      })
      .returning();
    if (order === undefined) throw new Error('no work order');
    const first = await db.transaction((tx) =>
      appendAudit(tx, {
        actor: 'octocat',
        action: 'work_order.transition',
        workOrderId: order.id,
        fromState: 'requested',
        toState: 'planned',
        data: { z: 1, a: { y: [1, 'two', null], b: true }, when: new Date('2026-01-02T03:04:05.678Z') },
      }),
    );
    const second = await append(db, 'hubot', 'second');
    const third = await append(db, 'ops-1');
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(third.prevHash).toBe(second.hash);
    expect(first.data).toEqual({ a: { b: true, y: [1, 'two', null] }, when: '2026-01-02T03:04:05.678Z', z: 1 });
    // Stored as a jsonb object, not as a JSON string inside jsonb (a known trap with some drivers).
    const kinds = rawRows(
      await db.execute(sql`select jsonb_typeof(data) as kind from audit_log where id = ${first.id}`),
    );
    expect(kinds).toEqual([{ kind: 'object' }]);
    expect(await verifyAuditChain(db)).toEqual({
      ok: true,
      rows: 3,
      unkeyedRows: 3,
      head: { id: third.id, hash: third.hash },
    });
    // A batch size smaller than the log exercises the paging.
    expect(await verifyAuditChain(db, { batchSize: 2 })).toEqual({
      ok: true,
      rows: 3,
      unkeyedRows: 3,
      head: { id: third.id, hash: third.hash },
    });
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    const [row] = await rows(db);
    if (row === undefined) throw new Error('no rows');
    await expect(db.update(auditLog).set({ reason: 'rewritten' }).where(eq(auditLog.id, row.id))).rejects.toThrow();
    await expect(db.delete(auditLog).where(eq(auditLog.id, row.id))).rejects.toThrow();
    await expect(db.execute(sql`truncate audit_log`)).rejects.toThrow();
    const messages = await db.execute(sql`delete from audit_log`).then(
      () => 'deleted',
      (error: unknown) => String(error instanceof Error && error.cause instanceof Error ? error.cause.message : error),
    );
    expect(messages).toMatch(/append-only: DELETE refused/);
    expect(await rows(db)).toHaveLength(3);
    expect((await rows(db))[0]?.reason).toBe(row.reason);
  });

  it('detects a row changed behind its back, and verifies again once it is put back', async () => {
    const [, second] = await rows(db);
    if (second === undefined) throw new Error('no second row');
    await tamper(db, sql`update audit_log set reason = 'nothing to see' where id = ${second.id}`);
    expect(await verifyAuditChain(db)).toEqual({ ok: false, rows: 1, brokenAt: second.id, reason: 'hash-mismatch' });
    await tamper(db, sql`update audit_log set reason = ${second.reason} where id = ${second.id}`);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('detects a row changed together with its own hash, at the row after it', async () => {
    const [first, second, third] = await rows(db);
    if (first === undefined || second === undefined || third === undefined) throw new Error('need three rows');
    await tamper(db, sql`update audit_log set actor = 'mallory', hash = repeat('f', 64) where id = ${second.id}`);
    expect(await verifyAuditChain(db)).toEqual({ ok: false, rows: 1, brokenAt: second.id, reason: 'hash-mismatch' });
    await tamper(db, sql`update audit_log set actor = ${second.actor}, hash = ${second.hash} where id = ${second.id}`);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('detects a row removed from the middle', async () => {
    const [, second, third] = await rows(db);
    if (second === undefined || third === undefined) throw new Error('need three rows');
    await tamper(db, sql`delete from audit_log where id = ${second.id}`);
    expect(await verifyAuditChain(db)).toEqual({ ok: false, rows: 1, brokenAt: third.id, reason: 'broken-link' });
  });

  it('refuses to append outside READ COMMITTED, where it could fork the chain', async () => {
    await expect(
      db.transaction((tx) => appendAudit(tx, { actor: 'x', action: 'test.event' }), {
        isolationLevel: 'repeatable read',
      }),
    ).rejects.toThrow(/READ COMMITTED/);
  });

  it('writes nothing when the surrounding transaction rolls back', async () => {
    const before = (await rows(db)).length;
    await expect(
      db.transaction(async (tx) => {
        await appendAudit(tx, { actor: 'x', action: 'test.event' });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    expect(await rows(db)).toHaveLength(before);
  });
});

describe.each(BACKENDS)('concurrent appends on %s', (backend) => {
  let test: TestDatabase;
  const extra: Database[] = [];

  beforeAll(async () => {
    test = await openTestDatabase(backend);
    // Separate pools stand in for separate processes; PGlite has one connection, shared by every caller.
    if (test.url !== null) {
      for (let i = 0; i < 3; i++) extra.push(await openDatabase({ url: test.url, maxConnections: 4 }));
    }
  });
  afterAll(async () => {
    await Promise.all(extra.map((database) => database.close()));
    await test.cleanup();
  });

  it('keeps one chain when many transactions append at once', async () => {
    const handles = [test.database, ...extra];
    const perHandle = 20;
    await Promise.all(
      handles.flatMap((handle, h) =>
        Array.from({ length: perHandle }, (_, i) =>
          handle.db.transaction(async (tx) => {
            await appendAudit(tx, { actor: `worker-${h}`, action: 'test.concurrent', data: { i } });
          }),
        ),
      ),
    );
    const total = handles.length * perHandle;
    const result = await verifyAuditChain(test.database.db);
    expect(result).toMatchObject({ ok: true, rows: total });
    const all = await rows(test.database.db);
    expect(new Set(all.map((row) => row.prevHash)).size).toBe(total);
  });
});
