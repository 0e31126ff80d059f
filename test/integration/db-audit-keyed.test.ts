/**
 * The keyed audit chain on both backends: rows written before the key (plain sha256) stay verifiable in front of
 * keyed ones; a plain row after a keyed one, a keyed row checked without the key, and a recorded head that is gone
 * are each reported; the repository a row concerns is covered by its hash.
 */
import { asc, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, auditHead, formatAuditHead, parseAuditHead, verifyAuditChain } from '../../src/db/audit-log.ts';
import { installAuditKey } from '../../src/db/audit-key.ts';
import { auditLog } from '../../src/db/schema.ts';
import type { Db } from '../../src/db/types.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const KEY = { bytes: Buffer.from('integration-audit-key-0123456789abcdef') };

function append(db: Db, actor: string, repo: string | null = null): Promise<unknown> {
  return db.transaction((tx) => appendAudit(tx, { actor, action: 'test.event', repo }));
}

async function tamper(db: Db, statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger audit_log_refuse_update_delete`);
    await tx.execute(statement);
    await tx.execute(sql`alter table audit_log enable trigger audit_log_refuse_update_delete`);
  });
}

describe.each(BACKENDS)('keyed audit chain on %s', (backend) => {
  let test: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    test = await openTestDatabase(backend);
    db = test.database.db;
  });
  afterAll(async () => {
    await test.cleanup();
  });
  afterEach(() => {
    installAuditKey(null);
  });

  it('verifies plain rows written before the key, then keyed rows, and needs the key for those', async () => {
    await append(db, 'before-key');
    await append(db, 'before-key', 'acme/shop');
    installAuditKey(KEY);
    await append(db, 'after-key', 'acme/shop');
    await append(db, 'after-key');
    const head = await auditHead(db);
    expect(await verifyAuditChain(db, { key: KEY })).toEqual({ ok: true, rows: 4, unkeyedRows: 2, head });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, rows: 2, reason: 'hash-mismatch' });
    expect(
      await verifyAuditChain(db, { key: { bytes: Buffer.from('the-wrong-key-0123456789abcdef0123') } }),
    ).toMatchObject({ ok: false, rows: 2, reason: 'hash-mismatch' });
  });

  it('covers the repository a row concerns', async () => {
    const [row] = await db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.repo} = 'acme/shop' and ${auditLog.actor} = 'after-key'`);
    if (row === undefined) throw new Error('no row');
    await tamper(db, sql`update audit_log set repo = 'acme/ledger' where id = ${row.id}`);
    expect(await verifyAuditChain(db, { key: KEY })).toMatchObject({
      ok: false,
      brokenAt: row.id,
      reason: 'hash-mismatch',
    });
    await tamper(db, sql`update audit_log set repo = 'acme/shop' where id = ${row.id}`);
    expect((await verifyAuditChain(db, { key: KEY })).ok).toBe(true);
  });

  it('refuses a plain row after keyed ones (written by a process without the key, or forged)', async () => {
    await append(db, 'no-key-process');
    const head = await auditHead(db);
    expect(await verifyAuditChain(db, { key: KEY })).toMatchObject({
      ok: false,
      brokenAt: head?.id,
      reason: 'unkeyed-after-keyed',
    });
    await tamper(db, sql`delete from audit_log where id = ${head?.id ?? 0}`);
    expect((await verifyAuditChain(db, { key: KEY })).ok).toBe(true);
  });

  it('checks recorded heads: still there with the same hash, or reported', async () => {
    installAuditKey(KEY);
    await append(db, 'later');
    const head = await auditHead(db);
    if (head === null) throw new Error('no head');
    const rows = await db.select().from(auditLog).orderBy(asc(auditLog.id));
    const older = rows[1];
    if (older === undefined) throw new Error('no older row');
    expect(await verifyAuditChain(db, { key: KEY, heads: [head, { id: older.id, hash: older.hash }] })).toMatchObject({
      ok: true,
      head,
    });
    expect(await verifyAuditChain(db, { key: KEY, heads: [{ id: older.id, hash: 'f'.repeat(64) }] })).toMatchObject({
      ok: false,
      brokenAt: older.id,
      reason: 'head-missing',
    });
    await tamper(db, sql`delete from audit_log where id = ${head.id}`);
    expect(await verifyAuditChain(db, { key: KEY })).toMatchObject({ ok: true });
    expect(await verifyAuditChain(db, { key: KEY, heads: [head] })).toMatchObject({
      ok: false,
      brokenAt: head.id,
      reason: 'head-missing',
    });
  });

  it('writes and reads heads as <id>:<hash>', () => {
    const head = { id: 42, hash: 'a'.repeat(64) };
    expect(parseAuditHead(formatAuditHead(head))).toEqual(head);
    expect(parseAuditHead(`42:${'A'.repeat(64)}`)).toBeNull();
    expect(parseAuditHead('0:' + 'a'.repeat(64))).toBeNull();
    expect(parseAuditHead('42')).toBeNull();
  });
});
