/**
 * `yardmaster dashboard`: the dashboard on 127.0.0.1 from the server's database (--database-url, DATABASE_URL, else
 * the embedded one, created when missing), without GitHub. Sign-in is a one-time link printed on the terminal
 * (`http://127.0.0.1:3100/dashboard/?token=…`, as Jupyter does); the one local viewer sees every repository. Runs until
 * Ctrl-C or SIGTERM.
 */
import { installAuditKey, migrateDatabase } from '../../db/index.ts';
import { closeGracefully, createRoutedServer, listen } from '../../http/index.ts';
import { startLocalDashboard } from '../../web/start-dashboard.ts';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { cliAuditKey, describeCliError, openCliDatabase } from '../open-cli-database.ts';
import { DASHBOARD_USAGE } from '../command-usage.ts';
import { parseCliArgs } from '../parse-cli-args.ts';
import { whenAborted } from '../../lib/when-aborted.ts';
import { errnoCode } from '../../lib/trust-boundaries.ts';
import type { Server } from 'node:http';
import { localUser } from '../local-user.ts';
import { startJournalImport } from '../../dispatch/index.ts';
import { cliJournalDir, journalTarget } from '../cli-journal.ts';

const DEFAULT_PORT = 3100;
/** Without --port: 3100, else the next free of these. */
const DEFAULT_PORT_TRIES = Array.from({ length: 10 }, (_unused, index) => DEFAULT_PORT + index);
/** How often the spool is looked at for CLI runs (their live grid follows at this pace). */
const JOURNAL_POLL_MS = 300;

/** Listens on the first of `ports` that is free on 127.0.0.1; the last one's error when none is. */
async function listenOnFirstFree(server: Server, ports: readonly number[]): Promise<number> {
  let lastError: unknown = new Error('no port to try');
  for (const port of ports) {
    try {
      return await listen(server, port, '127.0.0.1');
    } catch (error) {
      if (errnoCode(error) !== 'EADDRINUSE') throw error;
      lastError = error;
    }
  }
  throw lastError;
}

export async function dashboardCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('dashboard', args, {
    port: { type: 'string', short: 'p' },
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (parsed.ok && parsed.values.help) {
    io.stdout.write(`${DASHBOARD_USAGE}\n`);
    return EXIT_OK;
  }
  if (!parsed.ok || parsed.positionals.length > 0) {
    io.stderr.write(
      `${parsed.ok ? `unexpected argument: ${parsed.positionals.join(' ')}` : parsed.message}\n\n${DASHBOARD_USAGE}\n`,
    );
    return EXIT_INVALID;
  }
  const portText = parsed.values.port ?? String(DEFAULT_PORT);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    io.stderr.write(`--port ${portText}: expected a port number (0–65535)\n\n${DASHBOARD_USAGE}\n`);
    return EXIT_INVALID;
  }
  const database = await openCliDatabase(parsed.values, io, { createEmbedded: true });
  if (typeof database === 'string') {
    io.stderr.write(`${database}\n`);
    return EXIT_INVALID;
  }
  try {
    const key = await cliAuditKey(database, io);
    if (typeof key === 'string') {
      io.stderr.write(`${key}\n`);
      return EXIT_INVALID;
    }
    // The audit page verifies the chain with the server's key (and the journals' audit rows are keyed with it).
    installAuditKey(key);
    await migrateDatabase(database);
  } catch (error) {
    io.stderr.write(`cannot prepare the database: ${describeCliError(error)}\n`);
    await database.close();
    return EXIT_INVALID;
  }
  const log = {
    info: (_fields: object, message: string) => {
      io.stderr.write(`${message}\n`);
    },
    warn: (_fields: object, message: string) => {
      io.stderr.write(`${message}\n`);
    },
    error: (fields: object, message: string) => {
      const error = 'err' in fields ? `: ${describeCliError(fields.err)}` : '';
      io.stderr.write(`${message}${error}\n`);
    },
  };
  // CLI releases and rollbacks: those waiting now before the link is printed, then each as it is written.
  const target = journalTarget(io.env, {
    databaseUrl: parsed.values['database-url'],
    dataDir: parsed.values['data-dir'],
    cwd: io.cwd,
  });
  const journals = startJournalImport(database.db, {
    dir: cliJournalDir(io, target),
    intervalMs: JOURNAL_POLL_MS,
    onProblem: (message) => {
      io.stderr.write(`warning: ${message}\n`);
    },
  });
  await journals.pass();
  const dashboard = await startLocalDashboard({ database, login: `local:${localUser(io.env)}`, log });
  const server = createRoutedServer(new Map(dashboard.routes), log);
  let bound: number;
  try {
    // The default port may be taken (another dashboard, another tool): the next free one of a few does, as Jupyter's.
    bound = await listenOnFirstFree(server, parsed.values.port === undefined ? DEFAULT_PORT_TRIES : [port]);
  } catch (error) {
    io.stderr.write(`cannot listen on 127.0.0.1:${port}: ${describeCliError(error)} (choose another with --port)\n`);
    await dashboard.stop();
    await journals.stop();
    await database.close();
    return EXIT_INVALID;
  }
  const base = `http://127.0.0.1:${bound}`;
  const where =
    database.kind === 'postgres' ? 'the PostgreSQL database' : `the embedded database in ${database.dataDir}`;
  io.stdout.write(
    `Yardmaster dashboard on ${base}/dashboard (${where}).\n` +
      `Sign in with this link (it works once; nobody else can use it after you):\n\n` +
      `    ${base}/dashboard/?token=${dashboard.newSignInToken()}\n\n` +
      `Ctrl-C stops the dashboard.\n`,
  );
  await whenAborted(io.signal);
  await closeGracefully(server, 2000);
  await dashboard.stop();
  await journals.stop();
  await database.close();
  return EXIT_OK;
}
