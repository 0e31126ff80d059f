/**
 * Slack for release workers (in the server process or `yardmaster worker`): the approval message follows the
 * order, the release's progress goes to its thread. Needs the bot token and the App (repo config, team roles).
 */
import { webApi } from '@slack/bolt';
import { createSlackReporter, type SlackReporter } from './report-worker-events.ts';
import { createApprovalMessageSync } from './sync-approval-message.ts';
import { boltLogger } from './bolt-logger.ts';
import type { SlackDeps } from './types.ts';

/** A reporter over a Web API client of its own. */
export function workerSlackReporter(
  bot: { botToken: string; apiUrl: string },
  deps: Omit<SlackDeps, 'slack'>,
): SlackReporter {
  const client = new webApi.WebClient(bot.botToken, { slackApiUrl: bot.apiUrl, logger: boltLogger(deps.log) });
  const full: SlackDeps = { ...deps, slack: client };
  return createSlackReporter(full, createApprovalMessageSync(full));
}
