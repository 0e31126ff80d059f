/**
 * The Slack adapter's entrances that need Bolt (@slack/bolt and its Web API client, some 200 modules): each imports
 * its module on first use, so a process without Slack settings never loads Bolt (a shorter server start; see
 * test/integration/server-start-loads.test.ts).
 */
import type { SlackReporter } from './report-worker-events.ts';
import type { RunningSlack } from './start-slack.ts';
import type { SlackDeps } from './types.ts';

type StartSlack = typeof import('./start-slack.ts').startSlack;

/** start-slack.ts's startSlack, loaded when called. */
export async function startSlack(...args: Parameters<StartSlack>): Promise<RunningSlack> {
  const loaded = await import('./start-slack.ts');
  return loaded.startSlack(...args);
}

/** worker-slack-report.ts's reporter over a Web API client of its own, loaded when called. */
export async function workerSlackReporter(
  bot: { botToken: string; apiUrl: string },
  deps: Omit<SlackDeps, 'slack'>,
): Promise<SlackReporter> {
  const loaded = await import('./worker-slack-report.ts');
  return loaded.workerSlackReporter(bot, deps);
}
