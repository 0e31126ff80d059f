/**
 * The environments page: per app + environment of the viewer's repositories, what runs on each host, who holds the
 * lock and who waits for it, the latest pre-flight of a plan for it, and the last releases.
 */
import { and, asc, desc, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { environmentLockWaiters, environmentLocks, environments, releases, rawRows } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';

/** Releases listed per environment. */
export const RECENT_RELEASES = 5;

export interface HostVersion {
  host: string;
  /** What the host runs after its last host run: the release's version, or the version it was rolled back to. */
  version: string | null;
  outcome: string;
  at: Date;
  releaseId: string;
}

export interface EnvironmentOverview {
  repoFullName: string;
  app: string;
  name: string;
  production: boolean;
  hosts: HostVersion[];
  lock: {
    holderWorkOrderId: number | null;
    owner: string | null;
    lockedBy: string | null;
    reason: string | null;
    since: Date | null;
  } | null;
  queue: { workOrderId: number; since: Date }[];
  /** The latest pre-flight of a plan for this environment (any of its orders), or null when none ran. */
  preflight: {
    workOrderId: number;
    status: string;
    /** When it finished, or was requested while pending. */
    at: Date;
    failingHosts: string[];
    /** Why it could not reach the hosts, when it could not. */
    message: string | null;
  } | null;
  recent: {
    releaseId: string;
    version: string;
    status: string;
    workOrderId: number | null;
    startedAt: Date | null;
    finishedAt: Date | null;
  }[];
}

const liveRow = z.object({
  repo_full_name: z.string(),
  app: z.string(),
  environment: z.string(),
  host: z.string(),
  version: z.string().nullable(),
  outcome: z.string(),
  finished_at: z.union([z.date(), z.string()]),
  release_id: z.string(),
});

const preflightRow = z.object({
  repo_full_name: z.string(),
  app: z.string(),
  environment: z.string(),
  work_order_id: z.coerce.number(),
  status: z.string(),
  at: z.union([z.date(), z.string()]),
  message: z.string().nullable(),
  // The engine's per-host report; only the host and its verdict are shown here.
  hosts: z.array(z.object({ host: z.string(), ok: z.boolean() }).loose()),
});

const key = (repo: string, app: string, environment: string): string => `${repo}\u0000${app}\u0000${environment}`;

/** Every environment of `repos`, app by app. */
export async function environmentsOverview(db: DbExecutor, repos: readonly string[]): Promise<EnvironmentOverview[]> {
  if (repos.length === 0) return [];
  const list = [...repos];
  const envRows = await db
    .select()
    .from(environments)
    .where(inArray(environments.repoFullName, list))
    .orderBy(asc(environments.repoFullName), asc(environments.app), asc(environments.name));
  // The last run that touched each host (untouched runs say nothing about what runs there).
  const live = z.array(liveRow).parse(
    rawRows(
      await db.execute(sql`
      select distinct on (r.repo_full_name, r.app, r.environment, h.host)
        r.repo_full_name, r.app, r.environment, h.host, h.outcome, h.finished_at, r.release_id,
        case when h.outcome = 'rolled_back' then h.previous_version when h.outcome = 'failed' then null else r.version end as version
      from host_runs h join releases r on r.release_id = h.release_id
      where r.repo_full_name in (${sql.join(
        list.map((repo) => sql`${repo}`),
        sql`, `,
      )}) and h.outcome <> 'untouched'
      order by r.repo_full_name, r.app, r.environment, h.host, h.finished_at desc, h.id desc`),
    ),
  );
  const preflights = z.array(preflightRow).parse(
    rawRows(
      await db.execute(sql`
      select distinct on (o.repo_full_name, o.app, o.environment)
        o.repo_full_name, o.app, o.environment, p.work_order_id, p.status, p.message, p.hosts,
        coalesce(p.finished_at, p.requested_at) as at
      from preflight_runs p join work_orders o on o.id = p.work_order_id
      where o.repo_full_name in (${sql.join(
        list.map((repo) => sql`${repo}`),
        sql`, `,
      )}) and o.app is not null and o.environment is not null
      order by o.repo_full_name, o.app, o.environment, p.requested_at desc, p.id desc`),
    ),
  );
  const locks = await db.select().from(environmentLocks).where(inArray(environmentLocks.repoFullName, list));
  const waiters = await db
    .select()
    .from(environmentLockWaiters)
    .where(inArray(environmentLockWaiters.repoFullName, list))
    .orderBy(asc(environmentLockWaiters.id));
  const recentRows = await db
    .select()
    .from(releases)
    .where(
      and(
        inArray(releases.repoFullName, list),
        sql`${releases.id} in (
      select id from (select id, row_number() over (partition by repo_full_name, app, environment order by id desc) as n from releases) ranked where n <= ${RECENT_RELEASES})`,
      ),
    )
    .orderBy(desc(releases.id));

  return envRows.map((env) => {
    const k = key(env.repoFullName, env.app, env.name);
    const lock = locks.find((row) => key(row.repoFullName, row.app, row.environment) === k);
    const held = lock !== undefined && (lock.holderWorkOrderId !== null || lock.lockedBy !== null);
    const preflight = preflights.find((row) => key(row.repo_full_name, row.app, row.environment) === k);
    return {
      repoFullName: env.repoFullName,
      app: env.app,
      name: env.name,
      production: env.production,
      hosts: live
        .filter((row) => key(row.repo_full_name, row.app, row.environment) === k)
        .map((row) => ({
          host: row.host,
          version: row.version,
          outcome: row.outcome,
          at: new Date(row.finished_at),
          releaseId: row.release_id,
        })),
      lock: held
        ? {
            holderWorkOrderId: lock.holderWorkOrderId,
            owner: lock.owner,
            lockedBy: lock.lockedBy,
            reason: lock.manualReason,
            since: lock.acquiredAt,
          }
        : null,
      preflight:
        preflight === undefined
          ? null
          : {
              workOrderId: preflight.work_order_id,
              status: preflight.status,
              at: new Date(preflight.at),
              failingHosts: preflight.hosts.filter((host) => !host.ok).map((host) => host.host),
              message: preflight.message,
            },
      queue: waiters
        .filter((row) => key(row.repoFullName, row.app, row.environment) === k)
        .map((row) => ({ workOrderId: row.workOrderId, since: row.enqueuedAt })),
      recent: recentRows
        .filter((row) => key(row.repoFullName, row.app, row.environment) === k)
        .map((row) => ({
          releaseId: row.releaseId,
          version: row.version,
          status: row.status,
          workOrderId: row.workOrderId,
          startedAt: row.startedAt,
          finishedAt: row.finishedAt,
        })),
    };
  });
}
