/** Shared types of the GitHub adapter: the narrow slices of Octokit and Probot that handlers use. */

/** An issue or pull request of a repository (GitHub numbers both alike). */
export interface IssueRef {
  owner: string;
  repo: string;
  issueNumber: number;
}

/**
 * Parameters of `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`. A type alias, not an interface:
 * Octokit's parameter types carry an index signature, which only aliases satisfy implicitly.
 */
export type CreateIssueCommentParams = {
  owner: string;
  repo: string;
  issue_number: number;
  body: string;
};

/** The one Octokit call comment replies need; a Probot `context.octokit` is one, a test passes a small fake. */
export interface IssueCommentsApi {
  rest: {
    issues: {
      createComment(params: CreateIssueCommentParams): Promise<unknown>;
    };
  };
}

/** The logging handlers do (a pino logger, as Probot's `context.log`, fits). */
export interface HandlerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** What a webhook handler gets: the raw payload (parsed at the boundary), a GitHub client and a log. */
export interface WebhookContext<Api> {
  payload: unknown;
  octokit: Api;
  log: HandlerLog;
}
