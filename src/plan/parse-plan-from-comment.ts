/** Plans as they arrive: inside a Markdown comment. */
import { findPlanBlocks, planBlocksProblem, type PlanBlock } from './extract-plan.ts';
import { parsePlan } from './parse-plan.ts';
import type { Plan, SourceIssue } from './types.ts';

export type PlanFromCommentResult =
  | { ok: true; plan: Plan; block: PlanBlock }
  | { ok: false; reason: 'no-plan' }
  /** More than one plan block, or one inside a list item: refused, `message` says why and where. */
  | { ok: false; reason: 'several-plans' | 'plan-in-list'; message: string }
  | { ok: false; reason: 'invalid'; issues: SourceIssue[]; block: PlanBlock };

/** Moves an issue from block coordinates to comment coordinates; unknown positions (0) stay unknown. */
function shiftIssue(issue: SourceIssue, block: PlanBlock): SourceIssue {
  return {
    ...issue,
    line: issue.line > 0 ? issue.line + block.startLine - 1 : 0,
    column: issue.column > 0 ? issue.column + block.indent : 0,
  };
}

/**
 * Extracts and parses the plan of a comment. Issue lines and columns count within the comment, so a reply can say
 * "line 12" and the author finds it in the comment they wrote.
 */
export function parsePlanFromComment(markdown: string): PlanFromCommentResult {
  const blocks = findPlanBlocks(markdown);
  if (blocks.kind === 'none') return { ok: false, reason: 'no-plan' };
  if (blocks.kind !== 'one') {
    return {
      ok: false,
      reason: blocks.kind === 'several' ? 'several-plans' : 'plan-in-list',
      message: planBlocksProblem(blocks),
    };
  }
  const { block } = blocks;
  const result = parsePlan(block.yaml);
  if (result.ok) return { ok: true, plan: result.value, block };
  return { ok: false, reason: 'invalid', issues: result.issues.map((issue) => shiftIssue(issue, block)), block };
}
