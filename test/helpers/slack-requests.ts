/** Requests as Slack sends them to an app: signed with the signing secret (v0 HMAC-SHA256 over `v0:<ts>:<body>`). */
import { createHmac } from 'node:crypto';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackPost {
  /** Absent = sign with `secret`; `null` = send no signature. */
  signature?: string | null;
  /** Seconds since the epoch (default now). */
  timestamp?: number;
}

/** POSTs an interaction payload (`payload=<json>`, urlencoded) to the app's events URL. */
export async function postInteraction(
  url: string,
  secret: string,
  payload: object,
  options: SlackPost = {},
): Promise<Response> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return post(url, secret, body, 'application/x-www-form-urlencoded', options);
}

/** POSTs an Events API request (JSON), e.g. the `url_verification` Slack sends when the Request URL is set. */
export async function postEvent(
  url: string,
  secret: string,
  event: object,
  options: SlackPost = {},
): Promise<Response> {
  return post(url, secret, JSON.stringify(event), 'application/json', options);
}

/** POSTs a slash command (form fields as Slack sends them); `team` is the workspace it comes from (default TTEAM). */
export async function postSlashCommand(
  url: string,
  secret: string,
  fields: { user: string; channel: string; text: string; command?: string; team?: string },
  options: SlackPost = {},
): Promise<Response> {
  const body = new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: fields.team ?? 'TTEAM',
    team_domain: 'acme',
    channel_id: fields.channel,
    channel_name: 'ops',
    user_id: fields.user,
    user_name: fields.user.toLowerCase(),
    command: fields.command ?? '/yardmaster',
    text: fields.text,
    api_app_id: 'AAPP',
    response_url: 'https://hooks.slack.com/commands/TTEAM/1/xyz',
    trigger_id: `trigger-${Date.now()}`,
  }).toString();
  return post(url, secret, body, 'application/x-www-form-urlencoded', options);
}

async function post(
  url: string,
  secret: string,
  body: string,
  contentType: string,
  options: SlackPost,
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
  };
  const signature = options.signature === undefined ? slackSignature(secret, timestamp, body) : options.signature;
  if (signature !== null) headers['x-slack-signature'] = signature;
  return fetch(url, { method: 'POST', headers, body });
}

/** A `block_actions` payload for a button click, shaped as Slack sends it. */
export function buttonClick(fields: {
  user: string;
  actionId: string;
  value: string;
  channel: string;
  messageTs: string;
  actionTs?: string;
  triggerId?: string;
}): object {
  return {
    type: 'block_actions',
    user: { id: fields.user, username: fields.user.toLowerCase(), name: fields.user.toLowerCase(), team_id: 'TTEAM' },
    api_app_id: 'AAPP',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: fields.messageTs, channel_id: fields.channel, is_ephemeral: false },
    trigger_id: fields.triggerId ?? `trigger-${fields.messageTs}-${fields.user}`,
    team: { id: 'TTEAM', domain: 'acme' },
    channel: { id: fields.channel, name: 'ops' },
    message: { type: 'message', ts: fields.messageTs, text: 'approval', user: 'UBOT' },
    response_url: 'https://hooks.slack.com/actions/TTEAM/1/xyz',
    actions: [
      {
        type: 'button',
        action_id: fields.actionId,
        block_id: 'yardmaster_approval',
        text: { type: 'plain_text', text: 'Approve', emoji: true },
        value: fields.value,
        action_ts: fields.actionTs ?? `${Date.now() / 1000}`,
      },
    ],
  };
}

/** A `view_submission` of the reject modal. */
export function rejectSubmissionPayload(fields: {
  user: string;
  viewId: string;
  value: string;
  reason: string;
}): object {
  return {
    type: 'view_submission',
    team: { id: 'TTEAM', domain: 'acme' },
    user: { id: fields.user, username: fields.user.toLowerCase(), name: fields.user.toLowerCase(), team_id: 'TTEAM' },
    api_app_id: 'AAPP',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${fields.viewId}`,
    view: {
      id: fields.viewId,
      type: 'modal',
      callback_id: 'yardmaster_reject_modal',
      private_metadata: fields.value,
      state: { values: { reason: { reason_input: { type: 'plain_text_input', value: fields.reason } } } },
      hash: 'h',
    },
  };
}
