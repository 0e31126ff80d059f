import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/commands/audit-command.ts';
import { appendAudit } from '../../src/db/audit-log.ts';
import { openDatabase } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import type { Db } from '../../src/db/types.ts';
import { captureIo } from '../helpers/cli-capture.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';

async function seed(db: Db, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await db.transaction((tx) => appendAudit(tx, { actor: 'octocat', action: 'test.event', data: { i } }));
  }
}

async function tamperFirstRow(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger audit_log_refuse_update_delete`);
    await tx.execute(sql`update audit_log set actor = 'mallory' where id = (select min(id) from audit_log)`);
    await tx.execute(sql`alter table audit_log enable trigger audit_log_refuse_update_delete`);
  });
}

describe('yardmaster audit verify on postgres', () => {
  let test: TestDatabase;
  let url: string;

  beforeAll(async () => {
    test = await openTestDatabase('postgres');
    if (test.url === null) throw new Error('no url');
    url = test.url;
    await seed(test.database.db, 3);
  });
  afterAll(async () => {
    await test.cleanup();
  });

  it('exits 0 and names the head when the chain is intact (--database-url)', async () => {
    const run = captureIo(tmpdir());
    expect(await auditCommand(['verify', '--database-url', url], run.io)).toBe(0);
    expect(run.stdout()).toMatch(/^audit log intact: 3 rows, head #3 [0-9a-f]{64}\n$/);
  });

  it('reads DATABASE_URL when no flag is given, and prints JSON with --json', async () => {
    const run = captureIo(tmpdir(), { DATABASE_URL: url });
    expect(await auditCommand(['verify', '--json'], run.io)).toBe(0);
    expect(JSON.parse(run.stdout())).toMatchObject({ ok: true, rows: 3, head: { id: 3 } });
  });

  it('exits 1 and names the row when the chain is broken', async () => {
    await tamperFirstRow(test.database.db);
    const run = captureIo(tmpdir());
    expect(await auditCommand(['verify', '--database-url', url], run.io)).toBe(1);
    expect(run.stdout()).toBe(
      'audit log BROKEN at row #1: the row no longer matches its hash: it was changed after it was written; or the row is keyed and no audit key was given (YARDMASTER_AUDIT_KEY) (0 rows before it verify)\n',
    );
  });

  it('exits 2 on a database it cannot read', async () => {
    const bad = new URL(url);
    bad.pathname = '/ym_does_not_exist';
    const run = captureIo(tmpdir());
    expect(await auditCommand(['verify', '--database-url', bad.toString()], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/cannot open the database: .*ym_does_not_exist/);
  });
});

describe('yardmaster audit verify on the embedded database', () => {
  let dir: string;
  let dataDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ym-audit-cli-'));
    dataDir = join(dir, 'data', 'pglite');
    const database = await openDatabase({ dataDir });
    try {
      await migrateDatabase(database);
      await seed(database.db, 2);
    } finally {
      await database.close();
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies the data directory given by --data-dir (relative to the working directory)', async () => {
    const run = captureIo(dir);
    expect(await auditCommand(['verify', '--data-dir', join('data', 'pglite')], run.io)).toBe(0);
    expect(run.stdout()).toMatch(/^audit log intact: 2 rows/);
  });

  it('finds the default data directory under XDG_DATA_HOME', async () => {
    const run = captureIo(dir, { XDG_DATA_HOME: join(dir, 'xdg') });
    expect(await auditCommand(['verify'], run.io)).toBe(2);
    expect(run.stderr()).toContain(`no embedded database at ${join(dir, 'xdg', 'yardmaster', 'pglite')}`);
  });

  it('says so, and exits 2, while the server holds the data directory', async () => {
    const server = await openDatabase({ dataDir });
    try {
      const run = captureIo(dir);
      expect(await auditCommand(['verify', '--data-dir', dataDir], run.io)).toBe(2);
      expect(run.stderr()).toMatch(new RegExp(`in use by process ${process.pid}`));
    } finally {
      await server.close();
    }
  });

  it('exits 2 on a usage error', async () => {
    for (const args of [[], ['check'], ['verify', 'extra'], ['verify', '--bogus']]) {
      const run = captureIo(dir);
      expect(await auditCommand(args, run.io)).toBe(2);
      expect(run.stderr()).toContain('usage: yardmaster audit verify');
    }
  });
});
