/** What a Slack member did on a work order, said as a comment on its issue or pull request too. */
import { splitRepo } from '../github/index.ts';
import type { WorkOrder } from '../workorders/service/index.ts';
import type { SlackDeps } from './types.ts';

export async function sayOnGitHub(deps: SlackDeps, order: WorkOrder, body: string): Promise<void> {
  try {
    const github = await deps.githubFor(order.installationId);
    await github.rest.issues.createComment({ ...splitRepo(order.repoFullName), issue_number: order.number, body });
  } catch (error) {
    deps.log.warn({ err: error, workOrderId: order.id }, 'the GitHub comment on a Slack action failed');
  }
}
