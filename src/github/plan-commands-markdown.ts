/**
 * Every command a plan runs, for the bot's plan reply: each command verbatim in its own fenced block (where Markdown,
 * HTML and @mentions are inert, the fence longer than any backtick run inside), stage by stage in the order they run,
 * health and monitor probes included; folded in `<details>` when long. Invisible characters are shown as `⟨U+XXXX⟩`.
 * Each stage says where its commands come from (the environment's or the app's `commands:` in the repo config, or the
 * plan), and a plan override shows what it replaces, folded and marked as not run.
 */
import { whenStageRuns } from '../deploy/index.ts';
import { formatDuration, revealInvisible } from '../plan/index.ts';
import type { PlanSummary, StageSummary } from '../workorders/service/index.ts';
import { codeBlock, inlineCode } from './markdown.ts';

/** Above this many characters of commands (or commands), the list is folded. */
const FOLD_CHARACTERS = 1_200;
const FOLD_COMMANDS = 8;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

type StageBody = Pick<StageSummary, 'commands' | 'check' | 'http'>;

function probeWords(stage: StageBody): string {
  return stage.check === undefined ? '' : ` (${stage.http === undefined ? 'command' : 'HTTP'} probe, ${stage.check})`;
}

/** The probe URL and the commands of a stage, each command in its own fenced block. */
function bodyMarkdown(stage: StageBody): string[] {
  const lines: string[] = [];
  if (stage.http !== undefined)
    lines.push(`GET ${inlineCode(stage.http.url)} from the host itself, expecting ${stage.http.expectStatus}`, '');
  for (const command of stage.commands) lines.push(codeBlock(revealInvisible(command).text, 'sh'), '');
  return lines;
}

/** What a plan override replaces, folded: it does not run, but approvers see what the config would have run. */
function replacedMarkdown(replaced: StageBody): string[] {
  const what =
    replaced.http !== undefined || replaced.check !== undefined ? 'probe' : plural(replaced.commands.length, 'command');
  return [
    '<details>',
    `<summary>Replaced, not run: the config's ${what}${probeWords(replaced)}</summary>`,
    '',
    ...bodyMarkdown(replaced),
    '</details>',
    '',
  ];
}

function stageMarkdown(stage: StageSummary): string[] {
  const when = whenStageRuns(stage.stage);
  const source = stage.source === undefined ? '' : ` (${stage.source.text})`;
  const lines = [`**${stage.stage}**${probeWords(stage)}: ${when}${source}`, '', ...bodyMarkdown(stage)];
  if (stage.source?.replaced !== undefined) lines.push(...replacedMarkdown(stage.source.replaced));
  return lines;
}

/** Whether any command holds characters shown as `⟨U+XXXX⟩`. */
function anyRevealed(stages: readonly StageSummary[]): boolean {
  return stages.some((stage) => stage.commands.some((command) => revealInvisible(command).revealed));
}

/** The commands section of the plan reply (empty stages left out; a plan without commands says so). */
export function planCommandsMarkdown(summary: PlanSummary): string {
  const stages = summary.stages.filter((stage) => stage.commands.length > 0 || stage.http !== undefined);
  const count = stages.reduce((total, stage) => total + stage.commands.length, 0);
  if (stages.length === 0) return '**Commands:** none; only the built-in stages run (fetch, switch, done).';
  const intro = `Run on each host in this order, each command with a ${formatDuration(summary.commandTimeoutMs)} limit:`;
  const warning = anyRevealed(stages)
    ? ['', '⚠️ **Some commands hold invisible or direction-changing characters**, shown here as `⟨U+XXXX⟩`.']
    : [];
  const body = [intro, ...warning, '', ...stages.flatMap(stageMarkdown)].join('\n').trimEnd();
  const characters = stages.reduce((total, stage) => total + stage.commands.join('').length, 0);
  const title = `Every command, verbatim: ${plural(count, 'command')} in ${plural(stages.length, 'stage')}`;
  if (characters <= FOLD_CHARACTERS && count <= FOLD_COMMANDS) return `**${title}.** ${body}`;
  return [
    '<details>',
    `<summary>${title} (click to read them all before approving)</summary>`,
    '',
    body,
    '',
    '</details>',
  ].join('\n');
}
