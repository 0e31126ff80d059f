/** Human-readable lines for located issues. */
import type { SourceIssue } from './types.ts';

/**
 * One issue as one line: `line 7, column 3, strategy.batch_size: expected a count or a percentage like 25%`.
 * The position is left out when unknown (line 0), the path when the issue is about the whole document.
 */
export function formatIssue(issue: SourceIssue): string {
  const where: string[] = [];
  if (issue.line > 0) {
    where.push(`line ${issue.line}`);
    if (issue.column > 0) where.push(`column ${issue.column}`);
  }
  if (issue.path !== '') where.push(issue.path);
  return where.length === 0 ? issue.message : `${where.join(', ')}: ${issue.message}`;
}

/** Several issues, one per line, in the order given. */
export function formatIssues(issues: readonly SourceIssue[]): string {
  return issues.map(formatIssue).join('\n');
}
