/**
 * src/slack/: the Slack adapter: the Bolt app, approval messages, worker reports.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { parseSlackBotEnv, parseSlackEnv } from './slack-env.ts';
export { startSlack } from './start-slack.ts';
export { withSlackReport, workerSlackReporter } from './worker-slack-report.ts';
