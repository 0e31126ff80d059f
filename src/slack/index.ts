/**
 * src/slack/: the Slack adapter: the Bolt app, approval messages, worker reports.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 * Bolt is loaded only when Slack is started (bolt-entrances.ts).
 */
export { startSlack, workerSlackReporter } from './bolt-entrances.ts';
export { parseSlackBotEnv, parseSlackEnv } from './slack-env.ts';
export { withSlackReport } from './with-slack-report.ts';
