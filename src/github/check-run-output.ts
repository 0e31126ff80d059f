/**
 * The text of a stage's check run: a per-host table (host, result, duration, last output lines) and the failure;
 * and of a `/rollback`'s check run: a per-host table (host, result, from → to, duration, message).
 */
import { type HostRollbackReport, clipText } from '../deploy/index.ts';
import type { StageName } from '../deploy/types.ts';
import { codeBlock } from './markdown.ts';

export type HostStageResult = 'running' | 'ok' | 'failed' | 'skipped';

/** What one host did in one stage (output lines are already masked by the engine). */
export interface HostStage {
  result: HostStageResult;
  durationMs: number | undefined;
  exitCode: number | null | undefined;
  message: string | undefined;
  lines: string[];
}

/** Lines kept per host and stage. */
export const KEPT_LINES = 10;
const TABLE_LINES = 2;
// GitHub refuses output text (and summary) longer than 65535 characters.
const MAX_TEXT = 60_000;
// An output line is up to 64 KiB: the table shows the start of the last ones, the text a longer start.
const TABLE_LINE_CHARS = 200;
const TEXT_LINE_CHARS = 2_000;

/** `text` within GitHub's limit, saying so when it was cut. */
function withinLimit(text: string): string {
  return text.length > MAX_TEXT ? `${clipText(text, MAX_TEXT)}\n…(cut)` : text;
}

const ICONS: Record<HostStageResult, string> = {
  running: '⏳ running',
  ok: '✅ ok',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
};

export function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))
    .replace(/`/g, "'");
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function stageTitle(stage: StageName, hosts: ReadonlyMap<string, HostStage>): string {
  const values = [...hosts.values()];
  const failed = [...hosts.entries()].filter(([, host]) => host.result === 'failed').map(([name]) => name);
  if (failed.length > 0) return `${stage}: failed on ${failed.join(', ')}`;
  const running = values.filter((host) => host.result === 'running').length;
  const done = values.filter((host) => host.result === 'ok' || host.result === 'skipped').length;
  if (values.length === 0) return `${stage}: not started`;
  return running > 0
    ? `${stage}: ${done} of ${values.length} hosts done, ${running} running`
    : `${stage}: ${done} host${done === 1 ? '' : 's'} done`;
}

/** Summary (table) and text (failures, last lines) of a stage's check run. */
export function stageOutput(
  stage: StageName,
  hosts: ReadonlyMap<string, HostStage>,
  note?: string,
): { title: string; summary: string; text: string } {
  const rows = [...hosts.entries()].map(([name, host]) => {
    const last = host.lines
      .slice(-TABLE_LINES)
      .map((line) => cell(clipText(line, TABLE_LINE_CHARS)))
      .join('<br>');
    return `| ${cell(name)} | ${ICONS[host.result]} | ${duration(host.durationMs)} | ${last === '' ? '' : `<code>${last}</code>`} |`;
  });
  const summary = withinLimit(
    [
      ...(note === undefined ? [] : [note, '']),
      rows.length === 0
        ? `No host has reached ${stage}.`
        : ['| Host | Result | Duration | Last output |', '|---|---|---|---|', ...rows].join('\n'),
    ].join('\n'),
  );
  const sections: string[] = [];
  for (const [name, host] of hosts) {
    if (host.result === 'failed') {
      sections.push(
        `### ${name} failed${host.exitCode === null || host.exitCode === undefined ? '' : ` (exit ${host.exitCode})`}`,
        '',
        clipText(host.message ?? '', TEXT_LINE_CHARS),
        '',
      );
    }
    if (host.lines.length > 0)
      sections.push(
        `#### ${name}: last output`,
        '',
        codeBlock(host.lines.map((line) => clipText(line, TEXT_LINE_CHARS)).join('\n')),
        '',
      );
  }
  const text = withinLimit(sections.join('\n'));
  return { title: stageTitle(stage, hosts), summary, text: text === '' ? 'No output.' : text };
}

/** Summary of a `/rollback`'s check run: the hosts still going back, or how each ended. */
export function rollbackOutput(
  to: string | undefined,
  hosts: readonly string[],
  reports?: readonly HostRollbackReport[],
): { title: string; summary: string } {
  const target = to === undefined ? 'the release each host ran before' : `'${cell(to)}'`;
  if (reports === undefined) {
    return {
      title: `rolling back ${hosts.length} host${hosts.length === 1 ? '' : 's'}`,
      summary: `Rolling back to ${target}: ${hosts.map(cell).join(', ')}.`,
    };
  }
  const failed = reports.filter((report) => !report.ok).map((report) => report.host);
  const rows = reports.map(
    (report) =>
      `| ${cell(report.host)} | ${report.ok ? ICONS.ok : ICONS.failed} | ${cell(report.from ?? '(none)')} → ${cell(report.to ?? '(none)')} | ${duration(report.durationMs)} | ${cell(clipText(report.message, TABLE_LINE_CHARS))} |`,
  );
  return {
    title:
      failed.length === 0
        ? `rolled back ${reports.length} host${reports.length === 1 ? '' : 's'}`
        : `rollback failed on ${failed.join(', ')}`,
    summary: withinLimit(
      [
        `Rollback to ${target}.`,
        '',
        '| Host | Result | Release | Duration | Message |',
        '|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    ),
  };
}
