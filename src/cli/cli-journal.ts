/**
 * The CLI's releases and rollbacks reach the database the server uses (DATABASE_URL, else the embedded one) through
 * a journal: the run writes it as it goes, into the spool of that database under the cache dir, and whoever has the
 * database open imports it: a running `yardmaster dashboard` at once (its live grid follows the run), else the next
 * dashboard; with DATABASE_URL the CLI imports it itself when the run ends. Writing a journal never blocks a
 * release: a journal that cannot be written is reported and the release goes on.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { defaultDataDir } from '../db/default-data-dir.ts';
import type { ReleaseRequest } from '../deploy/types.ts';
// The writer and the spool alone: the journal's schemas are for reading it back, which a release never does.
import { journalDir, type JournalTarget } from '../journal/journal-spool.ts';
import { type JournalWriter, openJournalWriter } from '../journal/journal-writer.ts';
import type { CliIo } from './cli-io.ts';
import { localUser } from './local-user.ts';
import { cacheDir } from './result-store.ts';

/** The database a CLI run is recorded in: the URL given or in DATABASE_URL, else the embedded data directory. */
export function journalTarget(
  env: CliIo['env'],
  options: { databaseUrl?: string | undefined; dataDir?: string | undefined; cwd: string },
): JournalTarget {
  const url = options.databaseUrl ?? env.DATABASE_URL;
  if (url !== undefined && url !== '') return { kind: 'url', url };
  const dataDir =
    options.dataDir === undefined ? defaultDataDir(env, env.HOME ?? homedir()) : resolve(options.cwd, options.dataDir);
  return { kind: 'dir', dataDir };
}

/** The spool directory of this user's database. */
export function cliJournalDir(io: CliIo, target: JournalTarget = journalTarget(io.env, { cwd: io.cwd })): string {
  return journalDir(cacheDir(io.env), target);
}

/** The repository CLI runs are listed under: `local/<app>` (characters a repository name cannot have become `-`). */
export function cliRepository(app: string): string {
  return `local/${app.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 100)}`;
}

export interface CliJournalStart {
  kind: 'release' | 'rollback';
  releaseId: string;
  attempt: number;
  app: string;
  environment: string;
  version: string;
  production: boolean;
  deployTo: string;
  hosts: string[];
}

/** What a release's journal begins with, from the engine's request. */
export function releaseJournalStart(
  request: Pick<ReleaseRequest, 'plan' | 'app' | 'environment' | 'hosts'>,
  releaseId: string,
  attempt: number,
): CliJournalStart {
  return {
    kind: 'release',
    releaseId,
    attempt,
    app: request.plan.app,
    environment: request.plan.environment,
    version: request.plan.version,
    production: request.environment.production,
    deployTo: request.app.deployTo,
    hosts: request.hosts.map((host) => host.entry.name),
  };
}

/** Opens the run's journal, or says on stderr why it is not recorded (and returns undefined). */
export function openCliJournal(io: CliIo, start: CliJournalStart): JournalWriter | undefined {
  if (io.env.YARDMASTER_JOURNAL === 'off') return undefined;
  try {
    return openJournalWriter(cliJournalDir(io), {
      ...start,
      repo: cliRepository(start.app),
      actor: `cli:${localUser(io.env).replace(/\s/g, '_').slice(0, 100)}`,
    });
  } catch (error) {
    io.stderr.write(
      `warning: this ${start.kind} is not recorded: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return undefined;
  }
}

/** Says on stderr when the journal stopped being written during the run. */
export function reportJournalFailure(io: CliIo, journal: JournalWriter | undefined): void {
  const failure = journal?.failure();
  if (failure !== undefined) io.stderr.write(`warning: the record of this run is incomplete: ${failure}\n`);
}

/** With DATABASE_URL, imports the waiting journals (this run's among them) now; loads the database client only then. */
export async function recordInServerDatabase(io: CliIo): Promise<void> {
  const target = journalTarget(io.env, { cwd: io.cwd });
  if (target.kind !== 'url' || io.env.YARDMASTER_JOURNAL === 'off') return;
  const { importCliJournals } = await import('./import-cli-journals.ts');
  await importCliJournals(io, target, cliJournalDir(io, target));
}
