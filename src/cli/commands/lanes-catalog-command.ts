/**
 * `yardmaster lanes catalog list | set <service> <entry.yml> | remove <service>`: the operator's lane catalog in the
 * database (`lane_catalog`). `set` takes one service's entry as the catalog file writes it under `services.<name>`
 * (`{ start, env, health }` or `{ health, ssh: { host, deploy_to, packages, start, port_range } }`), checked by the
 * catalog's rules; a database entry replaces the catalog file's entry of the same service. Every change is audited
 * and reaches every lanes server at once (NOTIFY), without a restart.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Database } from '../../db/types.ts';
import {
  CATALOG_SERVICE_NAME,
  catalogView,
  type LaneCatalog,
  loadCatalogRows,
  mergeCatalog,
  parseCatalogEntry,
  putCatalogService,
  removeCatalogService,
} from '../../lanes/index.ts';
import { formatIssues, parseYamlSource } from '../../plan/index.ts';
import { EXIT_FAILED, EXIT_INVALID, EXIT_OK, type CliIo } from '../cli-io.ts';

/** Whether `rest` (after `catalog`) has the arguments its subcommand takes. */
export function catalogArgsFit(rest: readonly string[]): boolean {
  const [sub] = rest;
  return (
    (sub === 'list' && rest.length === 1) ||
    (sub === 'set' && rest.length === 3) ||
    (sub === 'remove' && rest.length === 2)
  );
}

export async function lanesCatalogCommand(
  rest: readonly string[],
  context: { database: Database; fileCatalog: LaneCatalog; io: CliIo; json: boolean; actor: string },
): Promise<number> {
  const { database, io } = context;
  const [sub = '', service = '', file = ''] = rest;
  if (sub !== 'list' && !CATALOG_SERVICE_NAME.test(service)) {
    io.stderr.write(`${service}: expected a service name (letters, digits, _ and -)\n`);
    return EXIT_INVALID;
  }
  if (sub === 'list') {
    const rows = await loadCatalogRows(database.db);
    for (const problem of rows.problems) io.stderr.write(`${problem}\n`);
    const merged = mergeCatalog(context.fileCatalog, rows.catalog, rows.packages);
    const view = catalogView(merged).services;
    const sourceOf = (name: string): string => (name in rows.catalog ? 'database' : 'file');
    if (context.json) {
      const listed = Object.fromEntries(
        Object.entries(view).map(([name, entry]) => [name, { ...entry, source: sourceOf(name) }]),
      );
      io.stdout.write(`${JSON.stringify({ services: listed })}\n`);
    } else if (Object.keys(view).length === 0) io.stdout.write('the lane catalog is empty\n');
    else
      for (const [name, entry] of Object.entries(view)) {
        const versions = Array.isArray(entry.versions) ? ` versions ${entry.versions.join(', ')}` : '';
        const host = typeof entry.host === 'string' ? ` on ${entry.host}` : '';
        io.stdout.write(`${name}  ${String(entry.runtime)}${host}${versions}  (${sourceOf(name)})\n`);
      }
    return EXIT_OK;
  }
  if (sub === 'remove') {
    const removed = await database.db.transaction((tx) => removeCatalogService(tx, service, context.actor));
    if (!removed) {
      io.stderr.write(`the database's lane catalog has no ${service}\n`);
      return EXIT_FAILED;
    }
    io.stdout.write(
      `${service} removed from the database's lane catalog${service in context.fileCatalog ? ' (the catalog file’s entry applies again)' : ''}\n`,
    );
    return EXIT_OK;
  }
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    io.stderr.write(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_INVALID;
  }
  const source = parseYamlSource(text);
  if (!source.ok) {
    io.stderr.write(`${file} has problems:\n${formatIssues(source.issues)}\n`);
    return EXIT_INVALID;
  }
  const entry = parseCatalogEntry(source.source.data);
  if (!entry.ok) {
    io.stderr.write(`${file} is not a lane catalog entry: ${entry.message}\n`);
    return EXIT_INVALID;
  }
  await database.db.transaction((tx) => putCatalogService(tx, service, entry.value, context.actor, 'set from the CLI'));
  io.stdout.write(`${service} set in the lane catalog; every lanes server takes it now\n`);
  return EXIT_OK;
}
