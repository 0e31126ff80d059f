/**
 * Pre-flight in Markdown: the `yardmaster / preflight` check run (a per-host table: host, connect/key, deploy_to
 * writable, free disk vs needed, tools, current release, lock) and the section of the plan reply that shows its state.
 */
import { clipText, PREFLIGHT_CHECK_TITLES, PREFLIGHT_CHECKS } from '../deploy/index.ts';
import type { PreflightView } from '../workorders/service/index.ts';
import { cell } from './check-run-output.ts';
import { inlineCode } from './markdown.ts';
import type { CheckRunFields } from './octokit-slice.ts';

/** The check run's name. */
export const PREFLIGHT_CHECK_NAME = 'yardmaster / preflight';

/** Marks where the plan reply's pre-flight section starts: everything after it is replaced on an update. */
export const PREFLIGHT_SECTION_MARK = '<!-- yardmaster:preflight -->';

const CELL_CHARS = 300;
const MAX_SUMMARY = 60_000;

function plural(count: number, word: string): string {
  return `${String(count)} ${word}${count === 1 ? '' : 's'}`;
}

/** `pending`, `passed on 3 hosts`, `failed on web-2, web-3`, or `failed: <why it did not reach the hosts>`. */
export function preflightHeadline(view: PreflightView | undefined): string {
  if (view === undefined || view.status === 'pending') return 'pending';
  if (view.status === 'passed') return `passed on ${plural(view.hosts.length, 'host')}`;
  const failing = view.hosts.filter((host) => !host.ok).map((host) => host.host);
  return failing.length > 0 ? `failed on ${failing.join(', ')}` : `failed: ${view.message ?? 'no host was checked'}`;
}

/** The per-host table; a check a host did not get to (it could not be reached) is `–`. */
export function preflightTable(view: PreflightView): string {
  const head = `| Host | ${PREFLIGHT_CHECKS.map((check) => PREFLIGHT_CHECK_TITLES[check]).join(' | ')} |`;
  const rule = `|---|${PREFLIGHT_CHECKS.map(() => '---').join('|')}|`;
  const rows = view.hosts.map((host) => {
    const cells = PREFLIGHT_CHECKS.map((name) => {
      const check = host.checks[name];
      if (check === undefined) return '–';
      // In <code>: details quote what hosts hold (a lock's owner file), where a mention or Markdown must stay inert.
      return `${check.ok ? '✅' : '❌'} <code>${cell(clipText(check.detail, CELL_CHARS))}</code>`;
    });
    return `| ${cell(host.host)} | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...rows].join('\n');
}

function packageLine(view: PreflightView): string | undefined {
  if (view.message === null) return undefined;
  return view.hosts.length === 0 ? `No host was checked: ${view.message}` : `Package: ${view.message}`;
}

/** The check run of a finished pre-flight (one per run: GitHub shows the newest of a name). */
export function preflightCheckRun(view: PreflightView): CheckRunFields {
  const note = packageLine(view);
  const table = view.hosts.length === 0 ? [] : [preflightTable(view)];
  const summary = [
    `Pre-flight of digest ${inlineCode(view.digest.slice(0, 12))} (run ${String(view.attempt)}, requested by ${cell(view.requestedBy)}): the check stage, read-only, on every host. Nothing was changed on the hosts.`,
    ...(note === undefined ? [] : ['', cell(note)]),
    ...(table.length === 0 ? [] : ['', ...table]),
  ].join('\n');
  return {
    status: 'completed',
    conclusion: view.status === 'passed' ? 'success' : 'failure',
    completed_at: (view.finishedAt ?? new Date()).toISOString(),
    output: {
      title: `pre-flight ${clipText(preflightHeadline(view), 200)}`,
      summary: summary.length > MAX_SUMMARY ? `${clipText(summary, MAX_SUMMARY)}\n…(cut)` : summary,
    },
  };
}

/** The plan reply's pre-flight section (after {@link PREFLIGHT_SECTION_MARK}). */
export function preflightReplySection(view: PreflightView | undefined): string {
  const status = view?.status ?? 'pending';
  const icon = status === 'passed' ? '✅' : status === 'failed' ? '❌' : '⏳';
  const lines = [
    PREFLIGHT_SECTION_MARK,
    `**Pre-flight:** ${icon} ${cell(preflightHeadline(view))}${status === 'pending' ? ` — the result comes as the check run ${inlineCode(PREFLIGHT_CHECK_NAME)} and here` : ''}.`,
  ];
  if (view !== undefined && status === 'failed') {
    lines.push('', view.hosts.length > 0 ? preflightTable(view) : cell(packageLine(view) ?? ''));
    lines.push('', `Fix the hosts, then run ${inlineCode('/preflight')} again.`);
  }
  return lines.join('\n');
}

/** `body` with its pre-flight section replaced by `section` (appended when it has none). */
export function withPreflightSection(body: string, section: string): string {
  const at = body.indexOf(PREFLIGHT_SECTION_MARK);
  const head = at === -1 ? body.trimEnd() : body.slice(0, at).trimEnd();
  return `${head}\n\n${section}`;
}
