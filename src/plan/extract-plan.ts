/** Finds the plan's YAML in a Markdown comment (an issue body or a PR comment). */

/** The YAML of a plan block and where it sits in the comment, so issues can name comment lines. */
export interface PlanBlock {
  yaml: string;
  /** 1-based line of the comment that holds the first YAML line (the line after the opening fence). */
  startLine: number;
  /** Spaces stripped from each YAML line because the fence was indented; add to columns. */
  indent: number;
}

const OPENING_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const PLAN_LANGUAGES = new Set(['yaml', 'yml']);

interface Fence {
  indent: number;
  marker: string;
  language: string;
}

function openingFence(line: string): Fence | undefined {
  const match = OPENING_FENCE.exec(line);
  if (match === null) return undefined;
  const [, spaces = '', marker = '', info = ''] = match;
  // CommonMark: a backtick fence's info string cannot contain backticks (that is inline code).
  if (marker.startsWith('`') && info.includes('`')) return undefined;
  const language = (info.trim().split(/\s+/)[0] ?? '').toLowerCase();
  return { indent: spaces.length, marker, language };
}

function closesFence(line: string, fence: Fence): boolean {
  const trimmed = line.replace(/^ {0,3}/, '').trimEnd();
  const char = fence.marker.charAt(0);
  return trimmed.length >= fence.marker.length && [...trimmed].every((c) => c === char);
}

/** A `yaml` block is a plan only if its first key is `app`; other YAML in a comment (CI snippets…) is not. */
function startsWithApp(lines: readonly string[]): boolean {
  for (const line of lines) {
    const text = line.trim();
    if (text === '' || text.startsWith('#') || text === '---' || text.startsWith('%')) continue;
    return /^app\s*:/.test(line);
  }
  return false;
}

/**
 * Finds the first fenced block whose info string is `yardmaster`, or `yaml`/`yml` with `app` as its first key.
 * An unclosed fence runs to the end of the comment, as in CommonMark.
 *
 * @returns the block's YAML and position, or `undefined` when the comment holds no plan.
 */
export function extractPlanBlock(markdown: string): PlanBlock | undefined {
  const lines = markdown.split(/\r\n|\r|\n/);
  let index = 0;
  while (index < lines.length) {
    const fence = openingFence(lines[index] ?? '');
    index++;
    if (fence === undefined) continue;
    const body: string[] = [];
    const startLine = index + 1;
    while (index < lines.length && !closesFence(lines[index] ?? '', fence)) {
      const line = lines[index] ?? '';
      const strip = Math.min(fence.indent, line.length - line.trimStart().length);
      body.push(line.slice(strip));
      index++;
    }
    index++;
    const isPlan = fence.language === 'yardmaster' || (PLAN_LANGUAGES.has(fence.language) && startsWithApp(body));
    if (isPlan) return { yaml: body.join('\n'), startLine, indent: fence.indent };
  }
  return undefined;
}
