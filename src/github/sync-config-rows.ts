/**
 * The `apps` and `environments` rows of a repository, made to match the config that landed on its default branch
 * (the dashboard's environments page lists them): upserted, and removed when the config no longer has them (the
 * schema keeps no "removed" mark; releases and the audit log keep the history). In the same transaction, one audit
 * row per environment the change set (ENVIRONMENT_SET_AUDIT_ACTION), written once per commit, app and environment, so
 * a delivery handled again (a retry, a redelivery) neither audits nor notifies twice.
 */
import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { AppConfig, EnvironmentConfig, EnvironmentSetAuditData, RepoConfig } from '../config/types.ts';
import { ENVIRONMENT_SET_AUDIT_ACTION } from '../config/types.ts';
import { appendAudit, apps, auditLog, environments } from '../db/index.ts';
import type { Db, Tx } from '../db/types.ts';
import type { EnvironmentSet } from './environments-set.ts';

export interface ConfigLanding {
  repoFullName: string;
  /** The config now on the default branch; null when the file was removed. */
  config: RepoConfig | null;
  /** The default branch's commit. */
  commit: string;
  installationId: number;
  /** Who pushed it. */
  actor: string;
  set: readonly EnvironmentSet[];
}

/** Plain JSON of a settings object (jsonb keeps no `undefined`). */
function json(value: object): Record<string, unknown> {
  const parsed: unknown = JSON.parse(JSON.stringify(value));
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? { ...parsed } : {};
}

async function upsertApp(tx: Tx, repoFullName: string, name: string, app: AppConfig): Promise<void> {
  const row = {
    project: app.project ?? null,
    deployTo: app.deployTo,
    config: json({ transfer: app.transfer }),
    syncedAt: sql`now()`,
  };
  await tx
    .insert(apps)
    .values({ repoFullName, name, ...row })
    .onConflictDoUpdate({ target: [apps.repoFullName, apps.name], set: row });
}

async function upsertEnvironment(
  tx: Tx,
  repoFullName: string,
  app: string,
  name: string,
  settings: EnvironmentConfig,
): Promise<void> {
  const row = {
    production: settings.production,
    approvalsNeeded: settings.approvals,
    approvers: settings.approvers,
    hosts: settings.hosts,
    freeze: settings.freeze,
    // Names of secret variables only: their values live in the secret store.
    config: json({
      env: settings.env,
      secretEnv: settings.secretEnv,
      transfer: settings.transfer,
      slackChannel: settings.slackChannel,
      notify: settings.notify,
    }),
    syncedAt: sql`now()`,
  };
  await tx
    .insert(environments)
    .values({ repoFullName, app, name, ...row })
    .onConflictDoUpdate({ target: [environments.repoFullName, environments.app, environments.name], set: row });
}

/** Removes what the config no longer names; deleting an app removes its environments (foreign key cascade). */
async function removeOthers(tx: Tx, repoFullName: string, config: RepoConfig | null): Promise<void> {
  const appNames = Object.keys(config?.apps ?? {});
  await tx
    .delete(apps)
    .where(
      appNames.length === 0
        ? eq(apps.repoFullName, repoFullName)
        : and(eq(apps.repoFullName, repoFullName), notInArray(apps.name, appNames)),
    );
  for (const [app, appConfig] of Object.entries(config?.apps ?? {})) {
    await tx
      .delete(environments)
      .where(
        and(
          eq(environments.repoFullName, repoFullName),
          eq(environments.app, app),
          notInArray(environments.name, Object.keys(appConfig.environments)),
        ),
      );
  }
}

async function auditOnce(tx: Tx, landing: ConfigLanding, set: EnvironmentSet): Promise<boolean> {
  const [existing] = await tx
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.action, ENVIRONMENT_SET_AUDIT_ACTION),
        eq(auditLog.repo, landing.repoFullName),
        sql`${auditLog.data}->>'commit' = ${landing.commit}`,
        sql`${auditLog.data}->>'app' = ${set.app}`,
        sql`${auditLog.data}->>'environment' = ${set.environment}`,
      ),
    )
    .limit(1);
  if (existing !== undefined) return false;
  const data: EnvironmentSetAuditData = { ...set, commit: landing.commit, installationId: landing.installationId };
  await appendAudit(tx, {
    actor: landing.actor,
    action: ENVIRONMENT_SET_AUDIT_ACTION,
    repo: landing.repoFullName,
    reason: `environment ${set.app}/${set.environment} ${set.change} by ${landing.commit.slice(0, 7)}`,
    data: { ...data },
  });
  return true;
}

/** Syncs the rows and audits the environments set; returns how many audit rows it wrote (0 for a repeat). */
export async function syncConfigRows(db: Db, landing: ConfigLanding): Promise<number> {
  return db.transaction(async (tx) => {
    const { repoFullName, config } = landing;
    for (const [name, app] of Object.entries(config?.apps ?? {})) {
      await upsertApp(tx, repoFullName, name, app);
      for (const [environment, settings] of Object.entries(app.environments))
        await upsertEnvironment(tx, repoFullName, name, environment, settings);
    }
    await removeOthers(tx, repoFullName, config);
    let audited = 0;
    for (const set of landing.set) if (await auditOnce(tx, landing, set)) audited++;
    return audited;
  });
}
