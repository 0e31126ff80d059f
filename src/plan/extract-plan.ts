/**
 * Finds the plan's YAML in a Markdown comment (an issue body or a PR comment), as GitHub renders the comment.
 *
 * The comment is parsed with a CommonMark parser (micromark, through mdast-util-from-markdown), so a block counts only
 * where GitHub shows it as a code block: fences inside an HTML comment (`<!-- … -->`) or an HTML block (`<details>`
 * without a blank line after it) are raw HTML, and an indented code block's fence is text; none of them is a plan.
 *
 * Only a fenced block at the top level of the comment is a plan, so what approvers read is exactly what runs:
 * - inside a blockquote it is a quote of someone else's words (GitHub's "Quote reply"), never a plan of whoever quoted;
 * - inside a list item GitHub shows it, but where such a block ends depends on indentation an author easily misjudges
 *   (a less indented line ends the item and the block with it), so it is refused, saying to put it at the top level.
 * A comment with more than one plan block is refused: approvers should not have to guess which one runs.
 */
import type { Code, Nodes } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';

/** The YAML of a plan block and where it sits in the comment, so issues can name comment lines. */
export interface PlanBlock {
  yaml: string;
  /** 1-based line of the comment that holds the first YAML line (the line after the opening fence). */
  startLine: number;
  /** Spaces stripped from each YAML line because the fence was indented; add to columns. */
  indent: number;
}

/** What a comment holds, plan-wise; `line` and `lines` are the comment lines of opening fences. */
export type PlanBlocks =
  | { kind: 'none' }
  | { kind: 'one'; block: PlanBlock }
  | { kind: 'several'; lines: number[] }
  | { kind: 'in-list'; line: number };

const PLAN_LANGUAGES = new Set(['yaml', 'yml']);

/** A `yaml` block is a plan only if its first key is `app`; other YAML in a comment (CI snippets…) is not. */
function startsWithApp(lines: readonly string[]): boolean {
  for (const line of lines) {
    const text = line.trim();
    if (text === '' || text.startsWith('#') || text === '---' || text.startsWith('%')) continue;
    return /^app\s*:/.test(line);
  }
  return false;
}

function lines(code: Code): string[] {
  return code.value.split(/\r\n|\r|\n/);
}

/** Only fenced blocks have an info string (`lang`); an indented code block never does. */
function isPlanLike(code: Code): boolean {
  const language = (code.lang ?? '').toLowerCase();
  return language === 'yardmaster' || (PLAN_LANGUAGES.has(language) && startsWithApp(lines(code)));
}

interface Found {
  code: Code;
  /** Where it sits: the root itself, inside a list item (not quoted), or quoted. */
  place: 'top' | 'list' | 'quote';
}

/** Every plan-like code block with its place; raw HTML is a leaf, so nothing inside it is visited. */
function planLikeBlocks(node: Nodes, place: Found['place'], found: Found[]): Found[] {
  if (node.type === 'code') {
    if (isPlanLike(node)) found.push({ code: node, place });
    return found;
  }
  if (!('children' in node)) return found;
  for (const child of node.children) {
    const inner = place === 'quote' || node.type === 'blockquote' ? 'quote' : node.type === 'root' ? 'top' : 'list';
    planLikeBlocks(child, inner, found);
  }
  return found;
}

function fenceLine(code: Code): number {
  return code.position?.start.line ?? 0;
}

/**
 * Finds the comment's plan blocks: fenced blocks whose info string is `yardmaster`, or `yaml`/`yml` with `app` as their
 * first key. An unclosed fence runs to the end of the comment, as in CommonMark.
 *
 * @returns `one` with the block's YAML and position; `several` or `in-list` for a comment to refuse; `none` otherwise.
 */
export function findPlanBlocks(markdown: string): PlanBlocks {
  const found = planLikeBlocks(fromMarkdown(markdown), 'top', []).filter((entry) => entry.place !== 'quote');
  const [first, second] = found;
  if (first === undefined) return { kind: 'none' };
  if (second !== undefined) return { kind: 'several', lines: found.map((entry) => fenceLine(entry.code)) };
  if (first.place === 'list') return { kind: 'in-list', line: fenceLine(first.code) };
  const start = first.code.position?.start;
  return {
    kind: 'one',
    block: { yaml: lines(first.code).join('\n'), startLine: (start?.line ?? 0) + 1, indent: (start?.column ?? 1) - 1 },
  };
}

/** The comment's one plan block, or `undefined` when it holds none (or one it cannot take: see `findPlanBlocks`). */
export function extractPlanBlock(markdown: string): PlanBlock | undefined {
  const blocks = findPlanBlocks(markdown);
  return blocks.kind === 'one' ? blocks.block : undefined;
}

/** A fenced block at the top level of a comment: its info string's first word (as written) and its text. */
export interface TopLevelFence {
  language: string;
  text: string;
  /** The comment line of the opening fence. */
  line: number;
}

/**
 * The fenced blocks at the top level of a comment, in order: the ones GitHub shows as code blocks outside quotes and
 * lists (for other blocks the bot reads, such as a ```yardmaster-lane spec). Line endings become `\n`.
 */
export function topLevelFences(markdown: string): TopLevelFence[] {
  return fromMarkdown(markdown)
    .children.filter((node): node is Code => node.type === 'code' && node.lang !== null && node.lang !== undefined)
    .map((code) => ({ language: code.lang ?? '', text: lines(code).join('\n'), line: fenceLine(code) }));
}

/** Why a comment's plan blocks are refused, in words for the author. */
export function planBlocksProblem(blocks: Extract<PlanBlocks, { kind: 'several' | 'in-list' }>): string {
  if (blocks.kind === 'in-list') {
    return `the plan block on line ${blocks.line} is inside a list item; put it at the top level of the comment, not indented under a list`;
  }
  const earlier = blocks.lines.slice(0, -1).join(', ');
  const last = blocks.lines.at(-1) ?? 0;
  return `the comment holds more than one plan block (lines ${earlier} and ${last}); post exactly one, so approvers know which runs`;
}
