/**
 * The pre-flight line of an approval message: pending, passed, or failed naming the hosts (and the failed checks of
 * each), so that an approver sees what the hosts looked like before pressing Approve.
 */
import { PREFLIGHT_CHECK_TITLES, PREFLIGHT_CHECKS } from '../deploy/index.ts';
import type { PreflightView } from '../workorders/service/index.ts';
import { BLOCK_KIT_LIMITS, type SlackBlock } from './block-kit-types.ts';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function failedChecks(view: PreflightView): string[] {
  return view.hosts
    .filter((host) => !host.ok)
    .map((host) => {
      const checks = PREFLIGHT_CHECKS.flatMap((name) => {
        const check = host.checks[name];
        return check === undefined || check.ok ? [] : [`${PREFLIGHT_CHECK_TITLES[name]}: ${check.detail}`];
      });
      return `• *${escape(host.host)}*: ${escape(checks.join('; '))}`;
    });
}

/** The section, for a plan whose pre-flight was requested (undefined: none was, e.g. a plan made before pre-flight). */
export function preflightBlock(view: PreflightView | undefined, required: boolean): SlackBlock | undefined {
  if (view === undefined) return undefined;
  const must = required ? ' (required before approvals)' : '';
  let text: string;
  if (view.status === 'pending') text = `*Pre-flight*${must}: ⏳ pending`;
  else if (view.status === 'passed') text = `*Pre-flight*${must}: ✅ passed on ${String(view.hosts.length)} hosts`;
  else {
    const lines = failedChecks(view);
    text =
      lines.length === 0
        ? `*Pre-flight*${must}: ❌ failed: ${escape(view.message ?? 'no host was checked')}`
        : `*Pre-flight*${must}: ❌ failed on ${escape(
            view.hosts
              .filter((host) => !host.ok)
              .map((host) => host.host)
              .join(', '),
          )}\n${lines.join('\n')}`;
    text += '\nFix the hosts, then run `/preflight` on the work order.';
  }
  const limit = BLOCK_KIT_LIMITS.sectionText;
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: text.length <= limit ? text : `${text.slice(0, limit - 1)}…` },
  };
}
