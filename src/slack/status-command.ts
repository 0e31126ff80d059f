/**
 * `/yardmaster status [app] [environment]`: what is live where, orders running and queued, and environment locks,
 * answered to the member only (ephemeral). Read-only.
 */
import { orderUrl } from '../lib/order-url.ts';
import type { FleetFilter, FleetStatus, OrderLine } from '../workorders/service/index.ts';
import { escapeMrkdwn, type SlackBlock } from './approval-blocks.ts';

export const STATUS_USAGE = 'Usage: `/yardmaster status [app] [environment]`';

/** The answer when no repository lets the asker see it (status-scope.ts): how a repository opts in. */
export function noVisibleRepoMessage(teamId: string): string {
  return `No repository shares its status with this workspace and channel. A repository opts in in its \`.github/yardmaster.yml\` with \`slack: { team: ${escapeMrkdwn(teamId)}, channel: <channel id> }\` (or maps you in \`slack.users\`).`;
}
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The filter the command's text asks for, or the usage when it is not a status command. */
export function parseStatusCommand(text: string): { ok: true; filter: FleetFilter } | { ok: false; message: string } {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words[0] !== 'status' || words.length > 3) return { ok: false, message: STATUS_USAGE };
  const [, app, environment] = words;
  if ((app !== undefined && !NAME.test(app)) || (environment !== undefined && !NAME.test(environment)))
    return { ok: false, message: `App and environment are names. ${STATUS_USAGE}` };
  return {
    ok: true,
    filter: { ...(app === undefined ? {} : { app }), ...(environment === undefined ? {} : { environment }) },
  };
}

function section(title: string, lines: string[], empty: string): SlackBlock {
  const body = lines.length === 0 ? `_${empty}_` : lines.join('\n');
  return { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${body}`.slice(0, 3000) } };
}

function orderLine(order: OrderLine, publicUrl: string): string {
  const what =
    order.app === null
      ? ''
      : ` ${escapeMrkdwn(order.app)}${order.environment === null ? '' : `/${escapeMrkdwn(order.environment)}`}`;
  const when =
    order.state === 'scheduled' && order.scheduledAt !== null ? ` at ${order.scheduledAt.toISOString()}` : '';
  return `• <${orderUrl(publicUrl, order.workOrderId)}|${escapeMrkdwn(order.repoFullName)}#${order.number}>${what}: ${order.state}${when}`;
}

export function statusBlocks(
  status: FleetStatus,
  filter: FleetFilter,
  publicUrl: string,
): { text: string; blocks: SlackBlock[] } {
  const scope =
    [filter.app, filter.environment]
      .filter((part) => part !== undefined)
      .map((part) => escapeMrkdwn(part))
      .join('/') || 'everything';
  const live = status.live.map(
    (entry) =>
      `• ${escapeMrkdwn(entry.repoFullName)} ${escapeMrkdwn(entry.app)}/${escapeMrkdwn(entry.environment)}: \`${escapeMrkdwn(entry.version)}\`${entry.since === null ? '' : ` since ${entry.since.toISOString()}`}`,
  );
  const locks = status.locks.map(
    (lock) =>
      `• ${escapeMrkdwn(lock.repoFullName)} ${escapeMrkdwn(lock.app)}/${escapeMrkdwn(lock.environment)}: ${escapeMrkdwn(lock.heldBy)}${lock.reason === null ? '' : ` — ${escapeMrkdwn(lock.reason)}`}`,
  );
  return {
    text: `Yardmaster status (${scope}): ${status.live.length} live, ${status.running.length} running, ${status.queued.length} queued, ${status.locks.length} locked`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `Yardmaster status: ${scope}`.slice(0, 150) } },
      section('Live', live.slice(0, 40), 'nothing released yet'),
      section(
        'Running',
        status.running.slice(0, 20).map((order) => orderLine(order, publicUrl)),
        'no release running',
      ),
      section(
        'Queued',
        status.queued.slice(0, 20).map((order) => orderLine(order, publicUrl)),
        'nothing queued',
      ),
      section('Locks', locks.slice(0, 20), 'no environment locked'),
    ],
  };
}
