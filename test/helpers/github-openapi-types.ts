/** Shared types of the GitHub request validation (test/helpers/github-openapi*.ts). */

/** What kind of rule a request broke. */
export type ViolationRule =
  | 'unknown-route'
  | 'path-parameter'
  | 'query-parameter'
  | 'request-body'
  | 'unknown-property'
  | 'check-run-conclusion';

/** One way a request differs from GitHub's REST description. */
export interface RequestViolation {
  rule: ViolationRule;
  /** `body.output.title`, `path.issue_number`, `query.per_page`, or the route for unknown routes. */
  path: string;
  message: string;
}

/** The operation a request was checked against. */
export interface OperationRef {
  method: string;
  /** The description's route template. */
  route: string;
  operationId: string;
}

/** Outcome of {@link validateGitHubRequest}. */
export type GitHubRequestValidation =
  | { ok: true; operation: OperationRef }
  | { ok: false; reason: 'unknown-route'; violations: RequestViolation[] }
  | { ok: false; reason: 'invalid-request'; operation: OperationRef; violations: RequestViolation[] };

/** A request to check: Octokit's view (route template + parameters) or the wire's (concrete path + body). */
export interface GitHubRequestInput {
  method: string;
  /**
   * A route template as Octokit writes it (`/repos/{owner}/{repo}/issues/{issue_number}/comments`, `:owner` and
   * `{?name}` accepted) or a concrete path (`/repos/octo/hello/issues/1/comments?per_page=5`).
   */
  url: string;
  /** Octokit-style parameters: path variables, then the query (GET/HEAD) or the body (other methods), `data` = body. */
  params?: Readonly<Record<string, unknown>>;
  /** The JSON body as sent; wins over what `params` would make. */
  body?: unknown;
}

/** Knobs of the validation. */
export interface ValidationOptions {
  /** Refuse object properties and query parameters the description does not list (default `error`). */
  unknownProperties?: 'error' | 'allow';
}
