/**
 * The post_deploy commands a standalone rollback (or the recovery of a dead worker's hosts) runs after switching a
 * host back to a version: those of the approved plan that released that version in this app and environment, read
 * from the database. Never the hooks recorded on the host (`.yardmaster/plans/<version>.json`): anything that can
 * write as the deploy user could put unapproved commands there.
 */
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import { approvedConfigCommands, mergeCommands, releaseSettingsSchema } from '../../config/index.ts';
import type { PlanCommands } from '../../plan/types.ts';
import { releases } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import type { RollbackHooks } from '../../deploy/index.ts';
import { currentPlanVersion, readStoredPlan, type PlanVersionRow } from './plan-store.ts';
import type { EnvironmentKey } from './environment-key.ts';

/**
 * The post_deploy the approved version ran: the plan's own, else the config's approved with it (stored with the
 * version, covered by its digest), never the config as it is now.
 */
function approvedPostDeployCommands(row: PlanVersionRow, plan: PlanCommands): readonly string[] {
  const settings = row.resolved === null ? undefined : releaseSettingsSchema.safeParse(row.resolved);
  const configured = settings?.success === true ? (settings.data.commands ?? {}) : {};
  return mergeCommands(plan, approvedConfigCommands(configured)).commands.postDeploy;
}

/** How many releases of one version are looked at before giving up (rollback rows share the version). */
const CANDIDATES = 20;

/**
 * The approved post_deploy of `version`: the newest work order that released it here (its releases row) and whose
 * plan, still matching its approved digest, is for that version. A release row of a rollback names the version it
 * went back to but belongs to an order whose plan is another version, so it never matches. Undefined when Yardmaster
 * never released the version (e.g. it was deployed with the offline CLI).
 */
async function approvedPostDeployOf(
  db: DbExecutor,
  key: EnvironmentKey,
  version: string,
): Promise<readonly string[] | undefined> {
  const rows = await db
    .select({ workOrderId: releases.workOrderId })
    .from(releases)
    .where(
      and(
        eq(releases.repoFullName, key.repoFullName),
        eq(releases.app, key.app),
        eq(releases.environment, key.environment),
        eq(releases.version, version),
        isNotNull(releases.workOrderId),
      ),
    )
    .orderBy(desc(releases.id))
    .limit(CANDIDATES);
  const seen = new Set<number>();
  for (const row of rows) {
    if (row.workOrderId === null || seen.has(row.workOrderId)) continue;
    seen.add(row.workOrderId);
    // Once an order has run, it takes no new plan: its current version is the one that ran.
    const stored = await currentPlanVersion(db, row.workOrderId);
    if (stored === undefined) continue;
    const read = readStoredPlan(stored);
    if (!read.ok || !read.digestMatches) continue;
    if (read.plan.version === version && read.plan.app === key.app && read.plan.environment === key.environment)
      return approvedPostDeployCommands(stored, read.plan.commands);
  }
  return undefined;
}

/** The approved post_deploy commands of each of `versions` that has an approved plan here. */
export async function approvedPostDeploy(
  db: DbExecutor,
  key: EnvironmentKey,
  versions: Iterable<string>,
): Promise<Extract<RollbackHooks, { from: 'approved' }>> {
  const postDeploy = new Map<string, readonly string[]>();
  for (const version of new Set(versions)) {
    const commands = await approvedPostDeployOf(db, key, version);
    if (commands !== undefined) postDeploy.set(version, commands);
  }
  return { from: 'approved', postDeploy };
}
