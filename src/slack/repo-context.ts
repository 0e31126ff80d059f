/** The repo context (config + team lookups) of an order's repository, as the Slack adapter reads it. */
import { githubTeamMembership } from '../github/index.ts';
import type { RepoContext, WorkOrder } from '../workorders/service/index.ts';
import type { SlackDeps } from './types.ts';

export async function repoContextOf(
  deps: SlackDeps,
  order: WorkOrder,
): Promise<{ ok: true; context: RepoContext } | { ok: false; message: string }> {
  const loaded = await deps.loadConfig({ repoFullName: order.repoFullName, installationId: order.installationId });
  if (!loaded.ok) return { ok: false, message: loaded.message };
  const github = await deps.githubFor(order.installationId);
  const org = order.repoFullName.split('/')[0] ?? '';
  return { ok: true, context: { config: loaded.config, org, membership: githubTeamMembership(github) } };
}
