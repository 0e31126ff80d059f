/** Replies on an issue or pull request. */
import type { IssueCommentsApi, IssueRef } from './types.ts';

/** Posts `body` as a new comment on the issue (or pull request) `issue`. */
export async function postIssueComment(github: IssueCommentsApi, issue: IssueRef, body: string): Promise<void> {
  await github.rest.issues.createComment({ owner: issue.owner, repo: issue.repo, issue_number: issue.issueNumber, body });
}
