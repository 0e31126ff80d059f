/**
 * `yardmaster dashboard`: the dashboard on 127.0.0.1 from the server's database (--database-url, DATABASE_URL, else
 * the embedded one, created when missing), without GitHub. Sign-in is a one-time link printed on the terminal
 * (`http://127.0.0.1:3100/dashboard/?token=…`, as Jupyter does); the one local viewer sees every repository. Runs until
 * Ctrl-C or SIGTERM.
 */
import { userInfo } from 'node:os';
import { installAuditKey, migrateDatabase } from '../../db/index.ts';
import { closeGracefully, createRoutedServer, listen } from '../../http/index.ts';
import { startLocalDashboard } from '../../web/start-dashboard.ts';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { cliAuditKey, describeCliError, openCliDatabase } from '../open-cli-database.ts';
import { DASHBOARD_USAGE } from '../command-usage.ts';
import { parseCliArgs } from '../parse-cli-args.ts';
import { whenAborted } from '../../lib/when-aborted.ts';

const DEFAULT_PORT = 3100;

/** The local user's name: USER, else the account's. */
function localUser(env: CliIo['env']): string {
  const fromEnv = env.USER ?? env.USERNAME;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'user';
  }
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
    // The audit page verifies the chain with the server's key.
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
  const dashboard = await startLocalDashboard({ database, login: `local:${localUser(io.env)}`, log });
  const server = createRoutedServer(new Map(dashboard.routes), log);
  let bound: number;
  try {
    bound = await listen(server, port, '127.0.0.1');
  } catch (error) {
    io.stderr.write(`cannot listen on 127.0.0.1:${port}: ${describeCliError(error)} (choose another with --port)\n`);
    await dashboard.stop();
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
  await database.close();
  return EXIT_OK;
}
