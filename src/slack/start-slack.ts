/**
 * The Slack side of a server process: the Bolt app, its `/slack/events` route (HTTP mode), and the approval
 * message sync that the GitHub handlers and the Slack buttons tell when an order changed. Wiring only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SLACK_MAX_BYTES, withBodyLimit } from '../http/index.ts';
import { createSlackApp, SLACK_EVENTS_PATH } from './create-slack-app.ts';
import { createSlackReporter, type SlackReporter } from './report-worker-events.ts';
import type { SlackSettings } from './slack-env.ts';
import { createApprovalMessageSync } from './sync-approval-message.ts';
import type { SlackClientSlice, SlackDeps } from './types.ts';

export interface RunningSlack {
  /** Extra routes for the main HTTP server. */
  routes: Map<string, (request: IncomingMessage, response: ServerResponse) => void | Promise<void>>;
  onOrderChanged(workOrderId: number): void;
  /** Worker events of this process's workers: the approval message follows, progress goes to its thread. */
  report: SlackReporter;
  /** The Web API client (notifications post with it too). */
  client: SlackClientSlice;
  /** Resolves once clicks and message updates so far are done. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSlack(
  settings: Extract<SlackSettings, { enabled: true }>,
  deps: Omit<SlackDeps, 'slack'>,
): Promise<RunningSlack> {
  const slackApp = createSlackApp(settings, deps.log);
  const full: SlackDeps = { ...deps, slack: slackApp.client };
  const sync = createApprovalMessageSync(full);
  await slackApp.start(full, sync);
  const routes = new Map<string, (request: IncomingMessage, response: ServerResponse) => void | Promise<void>>();
  // Bolt buffers up to 4 MB itself; Slack's payloads are far smaller, and the limit is the server's, not Bolt's.
  if (slackApp.requestListener !== undefined)
    routes.set(SLACK_EVENTS_PATH, withBodyLimit(slackApp.requestListener, SLACK_MAX_BYTES));
  const report = createSlackReporter(full, sync);
  return {
    routes,
    onOrderChanged: sync,
    report,
    client: slackApp.client,
    async idle() {
      await slackApp.idle();
      await report.idle();
    },
    async stop() {
      await slackApp.stop();
      await report.idle();
    },
  };
}
