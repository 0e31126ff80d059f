/**
 * Which repositories `/yardmaster status` may tell about, for the workspace, channel and member that asked. A
 * repository is listed only when its own `.github/yardmaster.yml` (default branch) names the asking workspace
 * (`slack.team`), and the command comes from a channel the config names (`slack.channel`, an environment's
 * `slack_channel` or `notify.slack`) or from a member its `slack.users` maps. A repository only ever opts its own
 * data in; a config that cannot be loaded lists nothing.
 */
import { desc } from 'drizzle-orm';
import type { RepoConfig } from '../config/types.ts';
import type { ConfigLoader } from '../workorders/service/index.ts';
import { workOrders } from '../db/index.ts';
import type { Db } from '../db/types.ts';

/** Where a slash command came from, as Slack says in its signed payload. */
export interface StatusAsker {
  teamId: string;
  channelId: string;
  userId: string;
}

/** The channels a repo config names: where its messages go, so where its members talk about it. */
function channelsOf(config: RepoConfig): Set<string> {
  const channels = new Set<string>();
  if (config.slack?.channel !== undefined) channels.add(config.slack.channel);
  for (const app of Object.values(config.apps)) {
    for (const environment of Object.values(app.environments)) {
      if (environment.slackChannel !== undefined) channels.add(environment.slackChannel);
      for (const channel of environment.notify?.slack ?? []) channels.add(channel);
    }
  }
  for (const project of Object.values(config.projects)) {
    for (const channel of project.notify?.slack ?? []) channels.add(channel);
  }
  return channels;
}

/** Whether `config` lets `asker` see its repository's status. */
export function statusVisibleTo(config: RepoConfig, asker: StatusAsker): boolean {
  const slack = config.slack;
  if (slack?.team === undefined || slack.team !== asker.teamId) return false;
  return channelsOf(config).has(asker.channelId) || Object.values(slack.users).includes(asker.userId);
}

/**
 * The repositories (owner/name) `asker` may see: each repository with orders, its config loaded through the
 * installation of its newest order, checked with {@link statusVisibleTo}.
 */
export async function statusRepos(db: Db, loadConfig: ConfigLoader, asker: StatusAsker): Promise<string[]> {
  const rows = await db
    .selectDistinctOn([workOrders.repoFullName], {
      repoFullName: workOrders.repoFullName,
      installationId: workOrders.installationId,
    })
    .from(workOrders)
    .orderBy(workOrders.repoFullName, desc(workOrders.id));
  const visible = await Promise.all(
    rows.map(async (row) => {
      const loaded = await loadConfig(row).catch(() => ({ ok: false as const }));
      return loaded.ok && statusVisibleTo(loaded.config, asker) ? row.repoFullName : undefined;
    }),
  );
  return visible.filter((repo): repo is string => repo !== undefined);
}
