/**
 * Thread replies of a release under its approval message: one reply per stage across hosts (updated as hosts go
 * through it), and a final reply with the outcome; a failure's final reply offers Rollback to deployers.
 */
import type { ReleaseResult, StageName } from '../deploy/types.ts';
import { escapeMrkdwn, type SlackBlock } from './approval-blocks.ts';

/** The Rollback button's `action_id`; its value is the order id. */
export const ROLLBACK_ACTION = 'yardmaster_rollback';

export type HostProgress = {
  result: 'running' | 'ok' | 'failed' | 'skipped';
  durationMs: number | undefined;
  message: string | undefined;
};

const ICONS = { running: '⏳', ok: '✅', failed: '❌', skipped: '⏭️' } as const;

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : ` ${(ms / 1000).toFixed(1)} s`;
}

/** `✅ *fetch*: web-1 ✅ 1.2 s · web-2 ⏳` */
export function stageReplyText(stage: StageName, hosts: ReadonlyMap<string, HostProgress>): string {
  const all = [...hosts.values()];
  const icon = all.some((host) => host.result === 'failed')
    ? ICONS.failed
    : all.some((host) => host.result === 'running')
      ? ICONS.running
      : ICONS.ok;
  const parts = [...hosts.entries()].map(
    ([name, host]) =>
      `${escapeMrkdwn(name)} ${ICONS[host.result]}${seconds(host.durationMs)}${host.result === 'failed' && host.message !== undefined ? ` (${escapeMrkdwn(host.message.slice(0, 200))})` : ''}`,
  );
  return `${icon} *${stage}*: ${parts.join(' · ')}`.slice(0, 3000);
}

/** The final reply: the outcome, the failed host, rolled-back hosts; Rollback for a failure that left hosts on it. */
export function outcomeReply(
  workOrderId: number,
  result: ReleaseResult,
  url: string,
): { text: string; blocks: SlackBlock[] } {
  const what = `${escapeMrkdwn(result.version)} to ${escapeMrkdwn(result.environment)}`;
  if (result.status === 'succeeded') {
    const text = `✅ *Released ${what}* on ${result.hosts.length} host${result.hosts.length === 1 ? '' : 's'}. <${url}|Details>`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const lines = [
    `❌ *Release of ${what} ${result.status === 'aborted' ? 'aborted' : 'failed'}*${result.status === 'partial' ? ' in part' : ''}.`,
  ];
  const failed = result.failedHost;
  if (failed !== undefined)
    lines.push(
      `Failed host: *${escapeMrkdwn(failed.host)}* at \`${failed.stage}\`${failed.exitCode === null ? '' : ` (exit ${failed.exitCode})`}: ${escapeMrkdwn(failed.message.slice(0, 500))}`,
    );
  const rolledBack = result.hosts.filter((host) => host.rolledBackTo !== undefined);
  if (rolledBack.length > 0)
    lines.push(
      `Rolled back: ${rolledBack.map((host) => `${escapeMrkdwn(host.host)} → ${escapeMrkdwn(host.rolledBackTo ?? '(none)')}`).join(', ')}`,
    );
  lines.push(`<${url}|Details>`);
  const text = lines.join('\n').slice(0, 3000);
  const blocks: SlackBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  // Hosts still on the new release (a partial release) can be rolled back; a full rollback already happened otherwise.
  const live = result.hosts.some((host) => host.outcome === 'released');
  if (live) {
    blocks.push({
      type: 'actions',
      block_id: `yardmaster_outcome_${workOrderId}`,
      elements: [
        {
          type: 'button',
          action_id: ROLLBACK_ACTION,
          text: { type: 'plain_text', text: 'Rollback' },
          style: 'danger',
          value: String(workOrderId),
        },
      ],
    });
  }
  return { text, blocks };
}
