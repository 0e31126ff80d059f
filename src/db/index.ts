/**
 * src/db/: the database: schema, client (Postgres or PGlite), migrations, the audit log.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { type AuditKey } from './audit-hash.ts';
export { AUDIT_KEY_VARIABLE, installAuditKey, installedAuditKey, resolveAuditKey } from './audit-key.ts';
export {
  appendAudit,
  type AuditChainBreak,
  type AuditChainResult,
  type AuditHead,
  auditHead,
  formatAuditHead,
  parseAuditHead,
  verifyAuditChain,
} from './audit-log.ts';
export { openDatabase } from './client.ts';
export { defaultDataDir } from './default-data-dir.ts';
export { listenChannel } from './listen-channel.ts';
export { migrateDatabase, MIGRATIONS_FOLDER } from './migrate.ts';
export { rawRows } from './raw-rows.ts';
export {
  approvals,
  apps,
  auditLog,
  dashboardSessions,
  deliverySubjectClaims,
  environmentLocks,
  environmentLockWaiters,
  environments,
  githubReports,
  hostRuns,
  laneCatalog,
  laneCatalogPackages,
  laneInstances,
  laneMembers,
  lanes,
  notifyCursor,
  periodicJobLeases,
  planVersions,
  preflightRuns,
  releases,
  secrets,
  slackMessages,
  stageEvents,
  stageOutput,
  webhookDeliveries,
  workOrders,
} from './schema.ts';
export {
  DEFAULT_PERIODIC_LEASE_MS,
  type PeriodicJob,
  type PeriodicJobLog,
  type PeriodicJobOptions,
  processHolderId,
  releasePeriodicJob,
  startPeriodicJob,
  takePeriodicTurn,
} from './periodic-jobs.ts';
