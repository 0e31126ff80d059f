/**
 * The operator's lane catalog in the database (`lane_catalog`): one entry per service, in the catalog's own form,
 * checked by the catalog's rules before it is written. Every change is audited and sends
 * `NOTIFY yardmaster_lane_catalog`, so every lanes server reloads it (catalog-watcher.ts). Only the operator edits
 * it (the CLI, the lanes API's package route): a repository never reaches this table.
 */
import { eq, sql } from 'drizzle-orm';
import { appendAudit, laneCatalog } from '../db/index.ts';
import type { DbExecutor, Tx } from '../db/types.ts';
import { catalogEntryOf, parseCatalogEntry, type CatalogService, type LaneCatalog } from './catalog.ts';
import { LANE_AUDIT, LANE_CATALOG_CHANNEL } from './lane-audit.ts';

/** The catalog's rows, each checked again; a row that no longer passes is left out and reported. */
export async function loadCatalogRows(db: DbExecutor): Promise<{ catalog: LaneCatalog; problems: string[] }> {
  const rows = await db.select().from(laneCatalog).orderBy(laneCatalog.service);
  const catalog: LaneCatalog = {};
  const problems: string[] = [];
  for (const row of rows) {
    const parsed = parseCatalogEntry(row.entry);
    if (parsed.ok) catalog[row.service] = parsed.value;
    else problems.push(`lane_catalog ${row.service}: ${parsed.message}`);
  }
  return { catalog, problems };
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

/**
 * Locks `service`'s catalog entry for the transaction (read, change, write without losing a concurrent change) and
 * returns its row's entry: undefined when it has no row, `invalid` when the row no longer passes the rules.
 */
export async function lockCatalogRow(tx: Tx, service: string): Promise<CatalogService | 'invalid' | undefined> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`yardmaster-lane-catalog:${service}`}))`);
  const [row] = await tx.select().from(laneCatalog).where(eq(laneCatalog.service, service));
  if (row === undefined) return undefined;
  const parsed = parseCatalogEntry(row.entry);
  return parsed.ok ? parsed.value : 'invalid';
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
