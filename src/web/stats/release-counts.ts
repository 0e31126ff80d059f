/** Finished releases counted per project and per app. */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { parseRows } from './rows.ts';
import { finishedReleaseCounts } from './finished-release-counts.ts';
import { sqlList } from './scope-sql.ts';
import { FAILURE_STATUSES, type StatsScope } from './types.ts';

/** Finished releases of one group, by result. */
export interface ReleaseCounts {
  releases: number;
  succeeded: number;
  /** Failed or partly rolled back (FAILURE_STATUSES). */
  failed: number;
}

export interface ProjectCounts extends ReleaseCounts {
  /** The apps table's project; null for apps with no project (or no apps row). */
  project: string | null;
}

export interface AppCounts extends ReleaseCounts {
  repoFullName: string;
  app: string;
}

const counts = { releases: z.number(), succeeded: z.number(), failed: z.number() };
const projectRow = z.object({ project: z.string().nullable(), ...counts });
const appRow = z.object({ repo_full_name: z.string(), app: z.string(), ...counts });

function countsQuery(scope: StatsScope, keys: SQL): SQL {
  return sql`
    select ${keys}, sum(r.n)::int as releases,
      coalesce(sum(r.n) filter (where r.status = 'succeeded'), 0)::int as succeeded,
      coalesce(sum(r.n) filter (where r.status in ${sqlList(FAILURE_STATUSES)}), 0)::int as failed
    from ${finishedReleaseCounts(scope)} r
    left join apps a on a.repo_full_name = r.repo_full_name and a.name = r.app
    group by ${keys}
    order by releases desc, ${keys}`;
}

/**
 * Releases that finished in the range per project (`apps.project`, joined on the release's repo + app; apps from
 * different repos with the same project name count together), most releases first.
 */
export async function releasesPerProject(db: DbExecutor, scope: StatsScope): Promise<ProjectCounts[]> {
  if (scope.repos.length === 0) return [];
  return parseRows(projectRow, await db.execute(countsQuery(scope, sql`a.project`)));
}

/** Releases that finished in the range per app (repo + app name), most releases first. */
export async function releasesPerApp(db: DbExecutor, scope: StatsScope): Promise<AppCounts[]> {
  if (scope.repos.length === 0) return [];
  const rows = parseRows(appRow, await db.execute(countsQuery(scope, sql`r.repo_full_name, r.app`)));
  return rows.map(({ repo_full_name: repoFullName, ...rest }) => ({ repoFullName, ...rest }));
}
