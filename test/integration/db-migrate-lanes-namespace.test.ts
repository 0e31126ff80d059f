/**
 * Migration `lanes_namespace` on a database that has lanes from before it: repository lanes move into their
 * namespace (a pull request's default lane to `<owner>/<repo>/pr-<n>`, unless that would clash with an active lane),
 * operators' lanes keep their names, and afterwards the database refuses a repository lane outside its namespace.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lanes } from '../../src/db/schema.ts';
import { MIGRATIONS_FOLDER, migrateDatabase } from '../../src/db/migrate.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

/** A copy of the migrations without `lanes_namespace` and what follows it. */
async function migrationsBefore(dir: string): Promise<string> {
  const folder = join(dir, 'migrations');
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalFile = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((entry) => entry.tag.endsWith('_lanes_namespace'));
  if (at < 0) throw new Error('no lanes_namespace migration');
  await writeFile(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  return folder;
}

describe.each(BACKENDS)('migration lanes_namespace on %s', (backend) => {
  let test: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    test = await openTestDatabase(backend, { migrate: false });
    dir = await mkdtemp(join(tmpdir(), 'ym-lanes-migration-'));
  });
  afterAll(async () => {
    await test?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('moves repository lanes into their namespaces and keeps them there', async () => {
    await migrateDatabase(test.database, { migrationsFolder: await migrationsBefore(dir) });
    const db = test.database.db;
    const later = new Date(Date.now() + 3_600_000);
    const lane = (
      name: string,
      repoFullName: string | null,
      pullNumber: number | null,
      endedAt: Date | null = null,
    ) => ({ name, mode: 'fallback' as const, spec: {}, expiresAt: later, repoFullName, pullNumber, endedAt });
    await db
      .insert(lanes)
      .values([
        lane('codertocat-hello-world-pr-50', 'Codertocat/Hello-World', 50),
        lane('feature-42', 'Codertocat/Hello-World', 51),
        lane('pr-52', 'Codertocat/Hello-World', 60),
        lane('codertocat-hello-world-pr-52', 'Codertocat/Hello-World', 52),
        lane('codertocat-hello-world-pr-52', 'Codertocat/Hello-World', 52, new Date()),
        lane('other-42', 'acme/Other.Repo', 1),
        lane('ops-lane', null, null),
      ]);
    await migrateDatabase(test.database);
    const rows = await db.select({ name: lanes.name }).from(lanes).orderBy(asc(lanes.id));
    expect(rows.map((row) => row.name)).toEqual([
      'codertocat/hello-world/pr-50',
      'codertocat/hello-world/feature-42',
      'codertocat/hello-world/pr-52',
      // An active lane of the repository is named pr-52 already: this one keeps its whole old name.
      'codertocat/hello-world/codertocat-hello-world-pr-52',
      'codertocat/hello-world/pr-52',
      'acme/other.repo/other-42',
      'ops-lane',
    ]);
    await expect(db.insert(lanes).values(lane('feature-42', 'acme/shop', 3))).rejects.toThrow();
    await expect(db.insert(lanes).values(lane('acme/shop/x', null, null))).rejects.toThrow();
    await db.insert(lanes).values(lane('acme/shop/feature-42', 'acme/shop', 3));
  });
});
