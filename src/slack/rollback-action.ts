/**
 * The Rollback button of a failure's reply in a release thread: `/rollback` in the name of the member's GitHub
 * login, so only deployers get it; the answer goes to the thread, a refusal to the member alone.
 */
import { handleCommand } from '../workorders/service/index.ts';
import type { ClickOutcome } from './approval-actions.ts';
import { sayOnGitHub } from './say-on-github.ts';
import { slackActor } from './slack-actor.ts';
import type { SlackDeps } from './types.ts';

export async function rollbackClick(
  deps: SlackDeps,
  click: { slackUser: string; value: string; clickRef: string },
): Promise<ClickOutcome & { workOrderId?: number }> {
  if (!/^\d{1,15}$/.test(click.value)) return { ok: false, message: "This button is not one of Yardmaster's." };
  const workOrderId = Number(click.value);
  const actor = await slackActor(deps, workOrderId, click.slackUser);
  if (!actor.ok) return actor;
  const { order, context, login } = actor;
  const result = await handleCommand(
    deps.service,
    { order, actor: login, command: { name: 'rollback' }, source: 'slack', sourceRef: click.clickRef },
    context,
  );
  if (!result.ok) return { ok: false, message: `Refused for @${login}: ${result.message}` };
  await sayOnGitHub(deps, order, `@${login} asked for a rollback from Slack: ${result.message}`);
  return { ok: true, message: `@${login}: ${result.message}`, workOrderId };
}
