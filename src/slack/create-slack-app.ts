/**
 * The Bolt app: HTTP mode on the main server (`/slack/events`; Bolt's receiver verifies the signing secret and the
 * timestamp and answers 401 otherwise) or Socket Mode with `SLACK_APP_TOKEN`. Routes the approval buttons and the
 * reject modal to approval-actions.ts, the Rollback button to rollback-action.ts and `/yardmaster` to
 * status-command.ts. Wiring only.
 */
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { boltLogger, type BoltLogTarget } from './bolt-logger.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APPROVE_ACTION, REJECT_ACTION } from './approval-blocks.ts';
import {
  approveClick,
  orderIdOf,
  rejectModal,
  rejectSubmission,
  REASON_BLOCK,
  REASON_INPUT,
  REJECT_MODAL,
  type ClickOutcome,
} from './approval-actions.ts';
import { ROLLBACK_ACTION } from './progress-blocks.ts';
import { rollbackClick } from './rollback-action.ts';
import type { SlackSettings } from './slack-env.ts';
import { noVisibleRepoMessage, parseStatusCommand, statusBlocks } from './status-command.ts';
import { statusRepos } from './status-scope.ts';
import { fleetStatus } from '../workorders/service/index.ts';
import type { SlackClientSlice, SlackDeps } from './types.ts';

/** The running Slack side. */
export interface SlackApp {
  /** The Web API client (Bolt's), for the approval message sync. */
  client: SlackClientSlice;
  /** The HTTP handler for `/slack/events` (HTTP mode only). */
  requestListener: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  /** Wires the actions to `deps` (which needs `client`), and starts Socket Mode if configured. */
  start(deps: SlackDeps, onOrderChanged: (workOrderId: number) => void): Promise<void>;
  /** Resolves once every click taken so far is handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const SLACK_EVENTS_PATH = '/slack/events';

export function createSlackApp(settings: Extract<SlackSettings, { enabled: true }>, log: BoltLogTarget): SlackApp {
  const logger = boltLogger(log);
  const receiver =
    settings.appToken === undefined
      ? new HTTPReceiver({ signingSecret: settings.signingSecret, endpoints: SLACK_EVENTS_PATH, logger })
      : new SocketModeReceiver({
          appToken: settings.appToken,
          logger,
          installerOptions: { clientOptions: { slackApiUrl: settings.apiUrl } },
        });
  const app = new App({ token: settings.botToken, receiver, clientOptions: { slackApiUrl: settings.apiUrl }, logger });
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  return {
    client: app.client,
    requestListener: receiver instanceof HTTPReceiver ? receiver.requestListener : undefined,
    async start(deps, onOrderChanged) {
      const answer = async (
        outcome: ClickOutcome,
        channel: string | undefined,
        user: string,
        value: string,
      ): Promise<void> => {
        if (!outcome.ok && channel !== undefined)
          await deps.slack.chat.postEphemeral({ channel, user, text: outcome.message });
        const orderId = orderIdOf(value);
        if (outcome.ok && orderId !== undefined) onOrderChanged(orderId);
      };
      app.action({ type: 'block_actions', action_id: APPROVE_ACTION }, async ({ ack, body, action }) => {
        await ack();
        if (action.type !== 'button') return;
        const channel = body.channel?.id;
        const click = {
          slackUser: body.user.id,
          value: action.value ?? '',
          channel,
          clickRef: `slack:${body.message?.ts ?? ''}:${body.user.id}:${action.action_ts}`,
        };
        await track(approveClick(deps, click).then((outcome) => answer(outcome, channel, body.user.id, click.value)));
      });
      app.action({ type: 'block_actions', action_id: REJECT_ACTION }, async ({ ack, body, action }) => {
        await ack();
        if (action.type !== 'button') return;
        await track(deps.slack.views.open({ trigger_id: body.trigger_id, view: rejectModal(action.value ?? '') }));
      });
      app.action({ type: 'block_actions', action_id: ROLLBACK_ACTION }, async ({ ack, body, action }) => {
        await ack();
        if (action.type !== 'button') return;
        const channel = body.channel?.id;
        const threadTs: unknown = body.message?.thread_ts ?? body.message?.ts;
        const click = {
          slackUser: body.user.id,
          value: action.value ?? '',
          clickRef: `slack:${body.message?.ts ?? ''}:${body.user.id}:${action.action_ts}`,
        };
        await track(
          rollbackClick(deps, click).then(async (outcome) => {
            if (channel === undefined) return;
            if (!outcome.ok)
              await deps.slack.chat.postEphemeral({ channel, user: body.user.id, text: outcome.message });
            else if (typeof threadTs === 'string')
              await deps.slack.chat.postMessage({ channel, thread_ts: threadTs, text: `↩️ ${outcome.message}` });
            if (outcome.ok && outcome.workOrderId !== undefined) onOrderChanged(outcome.workOrderId);
          }),
        );
      });
      app.view(REJECT_MODAL, async ({ ack, body, view }) => {
        const reason = view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.value ?? '';
        const click = {
          slackUser: body.user.id,
          value: view.private_metadata,
          channel: undefined,
          clickRef: `slack:view:${view.id}`,
        };
        const outcome = await track(rejectSubmission(deps, click, reason));
        if (!outcome.ok) {
          await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: outcome.message.slice(0, 150) } });
          return;
        }
        await ack();
        const orderId = orderIdOf(click.value);
        if (orderId !== undefined) onOrderChanged(orderId);
      });
      app.command('/yardmaster', async ({ command, ack }) => {
        const parsed = parseStatusCommand(command.text);
        if (!parsed.ok) {
          await ack({ response_type: 'ephemeral', text: parsed.message });
          return;
        }
        // Only the repositories whose own config shares their status with this workspace and channel or member.
        const repos = await statusRepos(deps.service.db, deps.loadConfig, {
          teamId: command.team_id,
          channelId: command.channel_id,
          userId: command.user_id,
        });
        if (repos.length === 0) {
          await ack({ response_type: 'ephemeral', text: noVisibleRepoMessage(command.team_id) });
          return;
        }
        const filter = { ...parsed.filter, repos };
        const answer = statusBlocks(await fleetStatus(deps.service.db, filter), filter, deps.publicUrl);
        await ack({ response_type: 'ephemeral', ...answer });
      });
      if (receiver instanceof SocketModeReceiver) await app.start();
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async stop() {
      if (receiver instanceof SocketModeReceiver) await app.stop();
    },
  };
}
