/** The choices the Statistics page's filter form offers: the viewer's projects, apps and environment names. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { parseRows } from './rows.ts';
import { sqlList } from './scope-sql.ts';

export interface FilterOptions {
  projects: string[];
  apps: string[];
  environments: string[];
}

const row = z.object({ kind: z.enum(['project', 'app', 'environment']), name: z.string() });

/** Distinct project, app and environment names of the configured apps of `repos` (sorted; none for no repos). */
export async function filterOptions(db: DbExecutor, repos: readonly string[]): Promise<FilterOptions> {
  if (repos.length === 0) return { projects: [], apps: [], environments: [] };
  const rows = parseRows(
    row,
    await db.execute(sql`
      select distinct 'project' as kind, project as name from apps where repo_full_name in ${sqlList(repos)} and project is not null
      union select distinct 'app', name from apps where repo_full_name in ${sqlList(repos)}
      union select distinct 'environment', name from environments where repo_full_name in ${sqlList(repos)}
      order by 1, 2`),
  );
  const names = (kind: z.infer<typeof row>['kind']) =>
    rows.filter((entry) => entry.kind === kind).map((entry) => entry.name);
  return { projects: names('project'), apps: names('app'), environments: names('environment') };
}
