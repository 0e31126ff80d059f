/**
 * The operator's lane catalog in the database (`lane_catalog`): one entry per service, in the catalog's own form,
 * checked by the catalog's rules before it is written. Every change is audited and sends
 * `NOTIFY yardmaster_lane_catalog`, so every lanes server reloads it (catalog-watcher.ts). Only the operator edits
 * it (the CLI, the lanes API's package route): a repository never reaches this table.
 */
import { and, eq, sql } from 'drizzle-orm';
import { appendAudit, laneCatalog, laneCatalogPackages } from '../db/index.ts';
import type { DbExecutor, Tx } from '../db/types.ts';
import { catalogEntryOf, parseCatalogEntry, type CatalogService, type LaneCatalog } from './catalog.ts';
import { LANE_AUDIT, LANE_CATALOG_CHANNEL } from './lane-audit.ts';

/** A version's package added through the lanes API. */
export interface AddedPackage {
  service: string;
  version: string;
  url: string;
  sha256: string;
}

/**
 * The catalog's rows, each checked again (a row that no longer passes is left out and reported), and the packages
 * added through the API.
 */
export async function loadCatalogRows(
  db: DbExecutor,
): Promise<{ catalog: LaneCatalog; packages: AddedPackage[]; problems: string[] }> {
  const rows = await db.select().from(laneCatalog).orderBy(laneCatalog.service);
  const catalog: LaneCatalog = {};
  const problems: string[] = [];
  for (const row of rows) {
    const parsed = parseCatalogEntry(row.entry);
    if (parsed.ok) catalog[row.service] = parsed.value;
    else problems.push(`lane_catalog ${row.service}: ${parsed.message}`);
  }
  const packages = await db
    .select({
      service: laneCatalogPackages.service,
      version: laneCatalogPackages.version,
      url: laneCatalogPackages.url,
      sha256: laneCatalogPackages.sha256,
    })
    .from(laneCatalogPackages)
    .orderBy(laneCatalogPackages.service, laneCatalogPackages.version);
  return { catalog, packages, problems };
}

/**
 * The catalog in force: the file's entries, the database's rows over them, and the added packages merged into their
 * ssh services (a version the entry has a package for keeps the entry's; a service without ssh takes none).
 */
export function mergeCatalog(
  fileCatalog: LaneCatalog,
  rows: LaneCatalog,
  packages: readonly AddedPackage[],
): LaneCatalog {
  const merged: LaneCatalog = { ...fileCatalog, ...rows };
  for (const { service, version, url, sha256 } of packages) {
    const entry = merged[service];
    if (entry?.ssh === undefined || entry.ssh.packages[version] !== undefined) continue;
    merged[service] = {
      ...entry,
      ssh: { ...entry.ssh, packages: { ...entry.ssh.packages, [version]: { url, sha256 } } },
    };
  }
  return merged;
}

/**
 * Adds a version's package (the lanes API). `added`: written now; `same`: that package was there already; `taken`:
 * the version has another package.
 */
export async function addCatalogPackage(
  tx: Tx,
  added: AddedPackage,
  actor: string,
): Promise<'added' | 'same' | 'taken'> {
  const inserted = await tx
    .insert(laneCatalogPackages)
    .values({ ...added, addedBy: actor })
    .onConflictDoNothing()
    .returning({ version: laneCatalogPackages.version });
  if (inserted.length === 0) {
    const [row] = await tx
      .select()
      .from(laneCatalogPackages)
      .where(and(eq(laneCatalogPackages.service, added.service), eq(laneCatalogPackages.version, added.version)));
    return row?.url === added.url && row.sha256 === added.sha256 ? 'same' : 'taken';
  }
  await appendAudit(tx, {
    actor,
    action: LANE_AUDIT.catalogChanged,
    reason: 'package added through the lanes API',
    data: { service: added.service, version: added.version, sha256: added.sha256 },
  });
  await announce(tx);
  return 'added';
}

/** What the audit log says of an entry: how it runs and which versions it has packages for (not its env values). */
function auditSummary(service: string, entry: CatalogService): Record<string, unknown> {
  return {
    service,
    runtime: entry.ssh === undefined ? 'process' : 'ssh',
    ...(entry.ssh === undefined ? {} : { host: entry.ssh.host.name, versions: Object.keys(entry.ssh.packages).sort() }),
  };
}

async function announce(tx: DbExecutor): Promise<void> {
  await tx.execute(sql`select pg_notify(${LANE_CATALOG_CHANNEL}, '')`);
}

/** Sets (adds or replaces) a service's entry. */
export async function putCatalogService(
  tx: Tx,
  service: string,
  entry: CatalogService,
  actor: string,
  reason: string,
): Promise<void> {
  const stored = catalogEntryOf(entry);
  await tx
    .insert(laneCatalog)
    .values({ service, entry: stored, updatedBy: actor })
    .onConflictDoUpdate({
      target: laneCatalog.service,
      set: { entry: stored, updatedBy: actor, updatedAt: sql`now()` },
    });
  await appendAudit(tx, { actor, action: LANE_AUDIT.catalogChanged, reason, data: auditSummary(service, entry) });
  await announce(tx);
}

/** Removes a service's row (the catalog file's entry, if any, applies again); false when there was none. */
export async function removeCatalogService(tx: Tx, service: string, actor: string): Promise<boolean> {
  const [row] = await tx.delete(laneCatalog).where(eq(laneCatalog.service, service)).returning();
  if (row === undefined) return false;
  await appendAudit(tx, { actor, action: LANE_AUDIT.catalogRemoved, data: { service } });
  await announce(tx);
  return true;
}
