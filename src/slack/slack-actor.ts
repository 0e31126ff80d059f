/**
 * Who a Slack member is on a work order: the order, its repo context, and the GitHub login the member is mapped to
 * by the repo config's `slack.users`; or why there is none (said to the member as it is).
 */
import { getWorkOrder, type RepoContext, type WorkOrder } from '../workorders/service/index.ts';
import { repoContextOf } from './repo-context.ts';
import { githubLoginOf } from './slack-users.ts';
import type { SlackDeps } from './types.ts';

export type SlackActor =
  | { ok: true; order: WorkOrder; context: RepoContext; login: string }
  | { ok: false; message: string };

export async function slackActor(deps: SlackDeps, workOrderId: number, slackUser: string): Promise<SlackActor> {
  const order = await getWorkOrder(deps.service.db, workOrderId);
  if (order === undefined) return { ok: false, message: `Work order ${workOrderId} does not exist.` };
  const repo = await repoContextOf(deps, order);
  if (!repo.ok) return { ok: false, message: `The repo config of ${order.repoFullName} is unusable: ${repo.message}` };
  const login = githubLoginOf(repo.context.config, slackUser);
  if (login === undefined) {
    return {
      ok: false,
      message: `Your Slack account is not mapped to a GitHub login: add it under slack.users in .github/yardmaster.yml of ${order.repoFullName}.`,
    };
  }
  return { ok: true, order, context: repo.context, login };
}
