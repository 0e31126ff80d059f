/**
 * The "what will run" part of a Slack approval message: the package, and every command of every stage verbatim in
 * plain_text sections (Slack interprets nothing there: no formatting, mentions or emoji), packed within Block Kit's
 * limits (3000 characters a section, 50 blocks a message). What does not fit is never cut silently: the message says
 * how much is missing and where to read it, and the caller then offers no Approve button.
 */
import { whenStageRuns } from '../deploy/index.ts';
import { formatDuration, revealInvisible } from '../plan/index.ts';
import type { PlanSummary, StageSummary } from '../workorders/service/index.ts';
import { BLOCK_KIT_LIMITS, type SlackBlock } from './block-kit-types.ts';

const SECTION_TEXT_LIMIT = BLOCK_KIT_LIMITS.sectionText;

interface Section {
  text: string;
  /** Commands it shows. */
  commands: number;
  stage: string;
}

export interface CommandBlocks {
  blocks: SlackBlock[];
  /** False when something was left out (the last block then says what and where to read it). */
  complete: boolean;
}

function plain(text: string): SlackBlock {
  return { type: 'section', text: { type: 'plain_text', text, emoji: false } };
}

function stageTitle(stage: StageSummary): string {
  const probe =
    stage.check === undefined ? '' : ` (${stage.http === undefined ? 'command' : 'HTTP'} probe, ${stage.check})`;
  const source = stage.source === undefined ? '' : ` (${stage.source.text})`;
  return `▶ ${stage.stage}${probe}: ${whenStageRuns(stage.stage)}${source}`;
}

/** A stage's sections (continued ones repeat the title), and the commands too long for any section. */
function stageSections(stage: StageSummary): { sections: Section[]; tooLong: number } {
  const title = stageTitle(stage);
  const sections: Section[] = [];
  let tooLong = 0;
  let current: Section = { text: title, commands: 0, stage: stage.stage };
  if (stage.http !== undefined)
    current.text += `\nGET ${stage.http.url} from the host itself, expecting ${stage.http.expectStatus}`;
  stage.commands.forEach((command, index) => {
    const entry = `[${index + 1}] ${revealInvisible(command).text}`;
    if (current.text.length + 1 + entry.length <= SECTION_TEXT_LIMIT) {
      current = { ...current, text: `${current.text}\n${entry}`, commands: current.commands + 1 };
      return;
    }
    const fresh = `${title} (continued)\n${entry}`;
    if (fresh.length > SECTION_TEXT_LIMIT) {
      tooLong++;
      return;
    }
    sections.push(current);
    current = { text: fresh, commands: 1, stage: stage.stage };
  });
  sections.push(current);
  return { sections, tooLong };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * The package and command sections of `summary`, in at most `room` blocks.
 *
 * @param links where the full plan can be read: the plan reply on GitHub and the order page.
 */
export function planCommandBlocks(
  summary: PlanSummary,
  room: number,
  links: { githubUrl: string; url: string },
): CommandBlocks {
  const stages = summary.stages.filter((stage) => stage.commands.length > 0 || stage.http !== undefined);
  const count = stages.reduce((total, stage) => total + stage.commands.length, 0);
  const commandsLine =
    stages.length === 0
      ? 'No commands: only the built-in stages run.'
      : `${plural(count, 'command')}, run on each host in this order, each with a ${formatDuration(summary.commandTimeoutMs)} limit:`;
  const intro = `Package ${summary.package.url}\nsha256 ${summary.package.sha256}\n\n${commandsLine}`;
  const sections: Section[] = [];
  let missing = 0;
  const missingStages = new Set<string>();
  const packageShown = intro.length <= SECTION_TEXT_LIMIT;
  if (!packageShown) missingStages.add('the package URL');
  for (const stage of stages) {
    const built = stageSections(stage);
    sections.push(...built.sections);
    if (built.tooLong > 0) {
      missing += built.tooLong;
      missingStages.add(stage.stage);
    }
  }
  const fixed = 1;
  const fits = (extra: number): boolean => fixed + sections.length + extra <= room;
  let shown = sections;
  if (!fits(missing > 0 || !packageShown ? 1 : 0)) {
    shown = sections.slice(0, Math.max(0, room - fixed - 1));
    for (const dropped of sections.slice(shown.length)) {
      missing += dropped.commands;
      missingStages.add(dropped.stage);
    }
  }
  const blocks: SlackBlock[] = [
    plain(
      packageShown
        ? intro
        : `Package URL too long to show here (${summary.package.url.length} characters)\nsha256 ${summary.package.sha256}`,
    ),
  ];
  blocks.push(...shown.map((section) => plain(section.text)));
  const complete = missingStages.size === 0;
  if (!complete) {
    const where = [...missingStages].join(', ');
    const what = missing > 0 ? `${plural(missing, 'command')} of ${where}` : where;
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `⚠️ *Not everything that will run fits in this message*: ${what} ${missing === 1 || (missing === 0 && missingStages.size === 1) ? 'is' : 'are'} not shown here. ` +
          `Read the whole plan in the <${links.githubUrl}|plan reply on GitHub> or on the <${links.url}|order page>, and approve there with \`/approve\`.`,
      },
    });
  }
  return { blocks, complete };
}
