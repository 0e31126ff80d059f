/** The answer to an invalid plan comment. */
import { formatIssues } from '../plan/index.ts';
import type { SourceIssue } from '../plan/types.ts';
import { codeBlock } from './markdown.ts';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Every problem with its line, column and field, never a stack trace. */
export function planErrorsReply(issues: readonly SourceIssue[]): string {
  return [
    `**The plan in this comment has ${plural(issues.length, 'problem')}:**`,
    '',
    codeBlock(formatIssues(issues)),
    '',
    'Lines and columns count from the top of this comment.',
  ].join('\n');
}
