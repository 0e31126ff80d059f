import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { MIGRATIONS_FOLDER, migrateDatabase } from '../../src/db/migrate.ts';
import { rawRows } from '../../src/db/raw-rows.ts';
import {
  BACKENDS,
  createTestPostgres,
  openTestDatabase,
  type TestDatabase,
  type TestPostgres,
} from '../helpers/database.ts';

const EXPECTED_TABLES = [
  'approval_wait_buckets',
  'approvals',
  'apps',
  'audit_log',
  'dashboard_sessions',
  'delivery_subject_claims',
  'environment_lock_waiters',
  'environment_locks',
  'environments',
  'github_reports',
  'host_runs',
  'hosts',
  'lane_catalog',
  'lane_catalog_packages',
  'lane_instances',
  'lane_members',
  'lanes',
  'notify_cursor',
  'order_outcome_day_counts',
  'periodic_job_leases',
  'person_day_counts',
  'person_scope_day_counts',
  'plan_versions',
  'preflight_runs',
  'release_day_counts',
  'releases',
  'restore_incidents',
  'secrets',
  'slack_messages',
  'stage_events',
  'stage_output',
  'webhook_deliveries',
  'work_orders',
];

async function journalLength(): Promise<number> {
  const journal: unknown = JSON.parse(await readFile(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'));
  if (typeof journal !== 'object' || journal === null || !('entries' in journal) || !Array.isArray(journal.entries)) {
    throw new Error('unexpected journal');
  }
  return journal.entries.length;
}

async function strings(test: TestDatabase, query: ReturnType<typeof sql>): Promise<string[]> {
  return rawRows(await test.database.db.execute(query)).map((row) => {
    if (typeof row !== 'object' || row === null || !('value' in row) || typeof row.value !== 'string')
      throw new Error('bad row');
    return row.value;
  });
}

describe.each(BACKENDS)('migrations on %s', (backend) => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await openTestDatabase(backend, { migrate: false });
  });
  afterAll(async () => {
    await test.cleanup();
  });

  it('creates every table on a fresh database and records each migration once, however often it runs', async () => {
    expect(
      await strings(test, sql`select table_name as value from information_schema.tables where table_schema = 'public'`),
    ).toEqual([]);
    await migrateDatabase(test.database);
    await migrateDatabase(test.database);
    const tables = await strings(
      test,
      sql`select table_name::text as value from information_schema.tables where table_schema = 'public' order by 1`,
    );
    expect(tables.toSorted()).toEqual(EXPECTED_TABLES);
    const applied = await strings(test, sql`select hash as value from drizzle.__drizzle_migrations`);
    expect(applied).toHaveLength(await journalLength());
  });

  it('uses timestamptz for every timestamp column', async () => {
    const types = await strings(
      test,
      sql`select distinct data_type::text as value from information_schema.columns where table_schema = 'public' and data_type like 'timestamp%'`,
    );
    expect(types).toEqual(['timestamp with time zone']);
  });

  it('installs the append-only triggers on audit_log and the dashboard notification', async () => {
    const triggers = await strings(
      test,
      sql`select tgname::text as value from pg_trigger where tgrelid = 'audit_log'::regclass and not tgisinternal order by 1`,
    );
    expect(triggers).toEqual([
      'audit_log_dashboard_notify',
      'audit_log_refuse_truncate',
      'audit_log_refuse_update_delete',
      'audit_log_stats_rollups',
    ]);
  });
});

describe('migrations on postgres from processes starting together', () => {
  let server: TestPostgres;

  beforeAll(async () => {
    server = await createTestPostgres();
  });
  afterAll(async () => {
    await server.drop();
  });

  it('migrates once when several openers race, each ending with the full schema', async () => {
    const databases = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ url: server.url })));
    try {
      // Without the advisory lock, racing migrators collide on CREATE TABLE and all but one reject.
      await Promise.all(databases.map((database) => migrateDatabase(database)));
    } finally {
      await Promise.all(databases.map((database) => database.close()));
    }
    const check = postgres(server.url, { max: 1 });
    try {
      const migrations = await check`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(migrations[0]?.n).toBe(await journalLength());
      const tables =
        await check`select count(*)::int as n from information_schema.tables where table_schema = 'public'`;
      expect(tables[0]?.n).toBe(EXPECTED_TABLES.length);
    } finally {
      await check.end();
    }
  });
});
