/**
 * `yardmaster lanes …`: the lane library from the command line (needs DATABASE_URL: the router, the API and other
 * CLIs share it). Versions are started with the `process` runtime from the lane catalog (--catalog or
 * YARDMASTER_LANES_CATALOG, else the one a `lanes serve` on this machine and database runs with) and call each
 * other through the router (--router-url or YARDMASTER_LANES_ROUTER_URL).
 * The CLI is the operator's: `down` ends any lane, a repository's too (`down owner/repo/name`), and `up` is bound
 * only by the operator ceiling of a lane's TTL (30 days), not by a repository's limits.
 */
import { readFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase, migrateDatabase } from '../../db/index.ts';
import type { Database } from '../../db/types.ts';
import {
  parseLaneCatalog,
  type LaneCatalog,
  formatResolution,
  endLane,
  removeVersion,
  resolveTask,
  startBaseline,
  type LaneDeps,
  putInstance,
  libraryView,
  createCatalogRuntime,
  startLanesServer,
  parseLaneSpec,
  watchLaneCatalog,
  type CatalogWatcher,
  laneVersionProblem,
  DATA_PLANE_ENGINES,
  renderHaproxyConfig,
} from '../../lanes/index.ts';
import { lanesApiPackageRule } from '../../policy/index.ts';
import { workerConnect } from '../../runtime/index.ts';
import { formatIssues } from '../../plan/index.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';
import { LANES_USAGE } from '../command-usage.ts';
import { installCliAuditKey } from '../open-cli-database.ts';
import { parseCliArgs } from '../parse-cli-args.ts';
import { cacheDir as cliCacheDir } from '../result-store.ts';
import { EXPORT_OPTIONS, lanesExportCommand } from './lanes-export-command.ts';
import { editCommand, replaceCommand, type LibraryValues } from './lanes-library-commands.ts';
import { catalogArgsFit, lanesCatalogCommand } from './lanes-catalog-command.ts';
import { forgetServedCatalog, noteServedCatalog, servedCatalog } from './lanes-served-catalog.ts';

const OPTIONS = {
  'database-url': { type: 'string' },
  catalog: { type: 'string' },
  'router-url': { type: 'string' },
  json: { type: 'boolean', default: false },
  baseline: { type: 'boolean' },
  'no-baseline': { type: 'boolean' },
  digest: { type: 'string' },
  'drain-ms': { type: 'string' },
  url: { type: 'string' },
  description: { type: 'string' },
  owner: { type: 'string' },
  label: { type: 'string', multiple: true },
  unlabel: { type: 'string', multiple: true },
  port: { type: 'string' },
  'api-port': { type: 'string' },
  host: { type: 'string' },
  domain: { type: 'string' },
  'data-plane': { type: 'string' },
  'haproxy-socket': { type: 'string' },
  'map-dir': { type: 'string' },
} as const;

const ARITY: Readonly<Record<string, number>> = {
  up: 1,
  down: 1,
  list: 0,
  baseline: 2,
  add: 3,
  remove: 2,
  replace: 2,
  edit: 2,
  serve: 0,
  export: 0,
  'haproxy-config': 0,
};

function argsFit(sub: string, rest: readonly string[]): boolean {
  return sub === 'catalog' ? catalogArgsFit(rest) : ARITY[sub] === rest.length;
}

/** Where `lanes haproxy-config` puts the runtime API socket and the maps unless told otherwise. */
const HAPROXY_SOCKET = '/run/haproxy/yardmaster-lanes.sock';
const HAPROXY_MAP_DIR = '/etc/haproxy/yardmaster';

/** `lanes haproxy-config`: the config of an HAProxy that `serve --haproxy-socket` (or the server) drives. */
function printHaproxyConfig(
  values: Partial<Record<'port' | 'host' | 'domain' | 'haproxy-socket' | 'map-dir', string>>,
  io: CliIo,
): number {
  const listen = port(values.port, 8088);
  if (listen === undefined || listen === 0) {
    io.stderr.write('lanes haproxy-config --port: a port 1-65535\n');
    return EXIT_INVALID;
  }
  try {
    io.stdout.write(
      renderHaproxyConfig({
        host: values.host ?? '127.0.0.1',
        port: listen,
        socket: values['haproxy-socket'] ?? HAPROXY_SOCKET,
        mapDir: values['map-dir'] ?? HAPROXY_MAP_DIR,
        ...(values.domain === undefined ? {} : { domain: values.domain }),
      }),
    );
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`lanes haproxy-config: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_INVALID;
  }
}

async function loadCatalog(file: string | undefined, io: CliIo): Promise<LaneCatalog | string> {
  if (file === undefined) return {};
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    return `cannot read the lane catalog ${file}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const parsed = parseLaneCatalog(text);
  return parsed.ok ? parsed.value : `the lane catalog ${file} has problems:\n${formatIssues(parsed.issues)}`;
}

function port(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 && value <= 65_535 ? value : undefined;
}

export async function lanesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs('lanes', args, { ...OPTIONS, ...EXPORT_OPTIONS });
  const [sub, ...rest] = parsed.ok ? parsed.positionals : [];
  if (!parsed.ok || sub === undefined || !argsFit(sub, rest)) {
    io.stderr.write(`${parsed.ok ? 'lanes needs a subcommand and its arguments' : parsed.message}\n\n${LANES_USAGE}\n`);
    return EXIT_INVALID;
  }
  const { values } = parsed;
  const exportOnly = Object.keys(EXPORT_OPTIONS).find((name) => Object.hasOwn(values, name));
  if (sub !== 'export' && exportOnly !== undefined) {
    io.stderr.write(`yardmaster lanes ${sub}: --${exportOnly} is an option of lanes export\n\n${LANES_USAGE}\n`);
    return EXIT_INVALID;
  }
  if (sub === 'haproxy-config') return printHaproxyConfig(values, io);
  const url = values['database-url'] ?? io.env.DATABASE_URL;
  if (url === undefined || url === '') {
    io.stderr.write(
      'yardmaster lanes needs DATABASE_URL (or --database-url): the router, the API and other commands share the library\n',
    );
    return EXIT_INVALID;
  }
  if (sub === 'export') {
    // A read of the route table: no catalog, runtime, router or audit key, and the output is YAML.
    const notForExport = Object.entries(values).find(
      ([name, value]) =>
        Object.hasOwn(OPTIONS, name) && name !== 'database-url' && name !== 'domain' && value !== false,
    );
    if (notForExport !== undefined) {
      io.stderr.write(
        `yardmaster lanes export: --${notForExport[0]} is not an option of lanes export\n\n${LANES_USAGE}\n`,
      );
      return EXIT_INVALID;
    }
    return lanesExportCommand(values, url, io);
  }
  // The note of a running `serve` lives in the user's own cache dir, never in the shared tmp dir: a catalog names
  // the commands to start, so nobody else may choose it.
  const notesDir = join(cliCacheDir(io.env), 'lanes');
  const catalogFile =
    values.catalog ??
    io.env.YARDMASTER_LANES_CATALOG ??
    (sub === 'serve' ? undefined : await servedCatalog(notesDir, url));
  const catalog = await loadCatalog(catalogFile, io);
  if (typeof catalog === 'string') {
    io.stderr.write(`${catalog}\n`);
    return EXIT_INVALID;
  }
  const givenRouterUrl = values['router-url'] ?? io.env.YARDMASTER_LANES_ROUTER_URL;
  // `serve` knows its router's address once it listens (port 0 picks one).
  const served: { routerUrl?: string } = {};
  const routerUrl = (): string => givenRouterUrl ?? served.routerUrl ?? 'http://127.0.0.1:8088';
  let database: Database;
  try {
    database = await openDatabase({ url });
    await migrateDatabase(database);
  } catch (error) {
    io.stderr.write(`cannot open the database: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
  // The library's changes are audited: keyed like the server's rows, or the chain breaks at them.
  const keyProblem = await installCliAuditKey(database, io);
  if (keyProblem !== undefined) {
    await database.close();
    io.stderr.write(`${keyProblem}\n`);
    return EXIT_INVALID;
  }
  const actor = `cli:${io.env.USER ?? userInfo().username}`;
  if (sub === 'catalog') {
    try {
      return await lanesCatalogCommand(rest, { database, fileCatalog: catalog, io, json: values.json, actor });
    } finally {
      await database.close();
    }
  }
  // The catalog file's entries with the database's over them; `serve` follows every change to it.
  let watcher: CatalogWatcher;
  try {
    watcher = await watchLaneCatalog(database, catalog, {
      onProblems: (problems) => {
        io.stderr.write(`lane catalog entries left out: ${problems.join('; ')}\n`);
      },
    });
  } catch (error) {
    await database.close();
    throw error;
  }
  const usesSsh = Object.values(watcher.current()).some((entry) => entry.ssh !== undefined);
  // `serve` may meet an ssh service later (the database's catalog changes while it runs): it tries the identity too.
  const ssh =
    usesSsh || sub === 'serve'
      ? await workerConnect(io.env, io.env.YARDMASTER_ACCEPT_NEW_HOST_KEYS === 'true', {
          warn: (fields, message) => {
            io.stderr.write(`${message} ${JSON.stringify(fields)}\n`);
          },
        })
      : undefined;
  if (ssh !== undefined && !ssh.ok && usesSsh) {
    await watcher.close();
    await database.close();
    io.stderr.write(`${ssh.message}\n`);
    return EXIT_INVALID;
  }
  const cacheDir = join(tmpdir(), 'yardmaster-lanes');
  const runtime = createCatalogRuntime({
    catalog: () => watcher.current(),
    routerUrl,
    cacheDir,
    artifactsDir: io.cwd,
    ...(ssh?.ok === true ? { connect: ssh.connect } : {}),
  });
  const deps: LaneDeps = { db: database.db, runtime, actor };
  try {
    const note = {
      cacheDir: notesDir,
      databaseUrl: url,
      catalog: catalogFile === undefined ? undefined : resolve(io.cwd, catalogFile),
    };
    return await run(sub, rest, values, deps, database, io, served, note, watcher);
  } catch (error) {
    io.stderr.write(`lanes ${sub} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  } finally {
    await watcher.close();
    await database.close();
  }
}

/** What `serve` notes for the other commands on this machine: see lanes-served-catalog.ts. */
interface ServeNote {
  cacheDir: string;
  databaseUrl: string;
  catalog: string | undefined;
}

type Values = LibraryValues & {
  port?: string | undefined;
  'api-port'?: string | undefined;
  host?: string | undefined;
  domain?: string | undefined;
  'data-plane'?: string | undefined;
  'haproxy-socket'?: string | undefined;
};

async function run(
  sub: string,
  rest: readonly string[],
  values: Values,
  deps: LaneDeps,
  database: Database,
  io: CliIo,
  served: { routerUrl?: string },
  note: ServeNote,
  watcher: CatalogWatcher,
): Promise<number> {
  const [first = '', second = '', third = ''] = rest;
  const versionProblem =
    sub === 'baseline' || sub === 'add' || sub === 'remove' || sub === 'replace' || sub === 'edit'
      ? laneVersionProblem(second)
      : undefined;
  if (versionProblem !== undefined) {
    io.stderr.write(`version ${second}: ${versionProblem}\n`);
    return EXIT_INVALID;
  }
  switch (sub) {
    case 'up': {
      const spec = parseLaneSpec(await readFile(resolve(io.cwd, first), 'utf8'));
      if (!spec.ok) {
        io.stderr.write(`${first} has problems:\n${formatIssues(spec.issues)}\n`);
        return EXIT_INVALID;
      }
      const resolution = await resolveTask(deps, spec.value);
      io.stdout.write(values.json ? `${JSON.stringify(resolution)}\n` : formatResolution(resolution));
      return resolution.ok ? EXIT_OK : EXIT_FAILED;
    }
    case 'down': {
      const ended = await endLane(deps, first, 'ended from the CLI');
      if (!ended.ended) {
        io.stderr.write(`no active lane ${first}\n`);
        return EXIT_FAILED;
      }
      io.stdout.write(
        values.json
          ? `${JSON.stringify(ended)}\n`
          : `lane ${first} ended; reclaimed: ${ended.reclaimed.join(', ') || 'nothing'}\n`,
      );
      return EXIT_OK;
    }
    case 'list': {
      const view = await libraryView(deps.db);
      if (values.json) io.stdout.write(`${JSON.stringify(view)}\n`);
      else if (view.instances.length === 0 && view.lanes.length === 0) io.stdout.write('no lanes, no instances\n');
      else {
        for (const entry of view.instances) {
          const build = entry.build === '' ? '' : ` build ${entry.build.slice(0, 12)}`;
          const labels = Object.entries(entry.labels).map(([key, value]) => `${key}=${value}`);
          const about = [
            ...(entry.owner === '' ? [] : [`owner: ${entry.owner}`]),
            ...(labels.length === 0 ? [] : [`labels: ${labels.join(',')}`]),
            ...(entry.description === '' ? [] : [`— ${entry.description}`]),
          ];
          io.stdout.write(
            `${entry.service}@${entry.version}${build}  ${entry.state}${entry.baseline ? ' baseline' : ''}  ${entry.endpoint ?? '-'}  lanes: ${entry.lanes.join(', ') || '-'}${about.length === 0 ? '' : `  ${about.join('  ')}`}\n`,
          );
        }
        for (const lane of view.lanes)
          io.stdout.write(
            `lane ${lane.name} (${lane.mode}, until ${lane.expiresAt}): ${
              Object.entries(lane.services)
                .map(([service, version]) => `${service}@${version}`)
                .join(', ') || 'baseline only'
            }\n`,
          );
        if (view.lanes.length === 0) io.stdout.write('no lanes\n');
      }
      return EXIT_OK;
    }
    case 'baseline': {
      const instance = await startBaseline(deps, first, second);
      io.stdout.write(`${instance.service}@${instance.version} is the baseline at ${instance.endpoint ?? '?'}\n`);
      return EXIT_OK;
    }
    case 'add': {
      if (!/^https?:\/\/[^/]+/.test(third)) {
        io.stderr.write(`expected an http(s) endpoint, not ${third}\n`);
        return EXIT_INVALID;
      }
      const instance = await deps.db.transaction((tx) =>
        putInstance(
          tx,
          {
            service: first,
            version: second,
            endpoint: third,
            baseline: values.baseline === true,
            runtime: 'registered',
          },
          deps.actor,
        ),
      );
      io.stdout.write(
        `${instance.service}@${instance.version} added at ${instance.endpoint ?? '?'}${instance.baseline ? ' (baseline)' : ''}\n`,
      );
      return EXIT_OK;
    }
    case 'remove': {
      const removed = await removeVersion(deps, first, second, 'removed from the CLI');
      if (!removed.ok) {
        io.stderr.write(
          removed.reason === 'not-found'
            ? `no instance ${first}@${second}\n`
            : `${first}@${second} is in use by lanes ${removed.lanes.join(', ')}: end them first (lanes down <lane>)\n`,
        );
        return EXIT_FAILED;
      }
      io.stdout.write(`${first}@${second} removed\n`);
      return EXIT_OK;
    }
    case 'replace':
      return replaceCommand(deps, first, second, values, io);
    case 'edit':
      return editCommand(deps, first, second, values, io);
    default:
      return serve(values, deps, database, io, served, note, watcher);
  }
}

async function serve(
  values: Values,
  deps: LaneDeps,
  database: Database,
  io: CliIo,
  served: { routerUrl?: string },
  note: ServeNote,
  watcher: CatalogWatcher,
): Promise<number> {
  const token = io.env.YARDMASTER_LANES_TOKEN;
  const routerPort = port(values.port, 8088);
  const apiPort = port(values['api-port'], 8089);
  const engine = values['data-plane'] ?? 'node';
  const dataPlane = DATA_PLANE_ENGINES.find((known) => known === engine);
  if (dataPlane === undefined) {
    io.stderr.write(`lanes serve --data-plane: expected ${DATA_PLANE_ENGINES.join(', ')}, not ${engine}\n`);
    return EXIT_INVALID;
  }
  const haproxySocket =
    values['haproxy-socket'] ?? (dataPlane === 'haproxy' ? io.env.YARDMASTER_LANES_HAPROXY_SOCKET : undefined);
  if (values['haproxy-socket'] !== undefined && dataPlane !== 'haproxy') {
    io.stderr.write('lanes serve --haproxy-socket: only with --data-plane haproxy\n');
    return EXIT_INVALID;
  }
  if (token === undefined || token.length < 16 || routerPort === undefined || apiPort === undefined) {
    io.stderr.write(
      'lanes serve needs YARDMASTER_LANES_TOKEN (16 characters or more) for its API, and ports 0-65535\n',
    );
    return EXIT_INVALID;
  }
  const server = await startLanesServer({
    database,
    deps,
    routerPort,
    apiPort,
    token,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.domain === undefined ? {} : { domain: values.domain }),
    dataPlane,
    catalog: { watcher, packageProblem: lanesApiPackageRule(io.cwd) },
    ...(haproxySocket === undefined ? {} : { haproxySocket }),
    log: {
      warn: (fields, message) => {
        io.stderr.write(`${message} ${JSON.stringify(fields)}\n`);
      },
    },
  });
  served.routerUrl = server.routerUrl;
  if (note.catalog !== undefined) await noteServedCatalog(note.cacheDir, note.databaseUrl, note.catalog);
  io.stdout.write(`${JSON.stringify({ msg: 'lanes serving', router: server.routerUrl, api: server.apiUrl })}\n`);
  await new Promise<void>((resolveStop) => {
    if (io.signal.aborted) resolveStop();
    io.signal.addEventListener(
      'abort',
      () => {
        resolveStop();
      },
      { once: true },
    );
  });
  await forgetServedCatalog(note.cacheDir, note.databaseUrl);
  await server.close();
  return EXIT_OK;
}
