/**
 * With DATABASE_URL, a CLI run imports the journals waiting in its database's spool (its own among them) when it
 * ends, so the server's dashboard shows the run. Loaded only then: the database client is not part of a release.
 */
import { migrateDatabase, openDatabase } from '../db/index.ts';
import { startJournalImport } from '../dispatch/index.ts';
import type { Database } from '../db/types.ts';
import type { JournalTarget } from '../journal/index.ts';
import type { CliIo } from './cli-io.ts';
import { describeCliError, installCliAuditKey } from './open-cli-database.ts';

export async function importCliJournals(
  io: CliIo,
  target: JournalTarget & { kind: 'url' },
  dir: string,
): Promise<void> {
  let database: Database;
  try {
    database = await openDatabase({ url: target.url, maxConnections: 2 });
  } catch (error) {
    io.stderr.write(`warning: not recorded in the database yet (${describeCliError(error)}); the next run retries\n`);
    return;
  }
  try {
    const keyProblem = await installCliAuditKey(database, io);
    if (keyProblem !== undefined) {
      io.stderr.write(`warning: not recorded in the database yet: ${keyProblem}\n`);
      return;
    }
    await migrateDatabase(database);
    const importer = startJournalImport(database.db, {
      dir,
      intervalMs: 0,
      onProblem: (message) => {
        io.stderr.write(`warning: ${message}\n`);
      },
    });
    await importer.pass();
    await importer.stop();
  } catch (error) {
    io.stderr.write(`warning: not recorded in the database yet (${describeCliError(error)}); the next run retries\n`);
  } finally {
    await database.close();
  }
}
