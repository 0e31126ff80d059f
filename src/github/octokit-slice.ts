/**
 * The slice of Octokit the GitHub adapter uses: a Probot `context.octokit` or `probot.auth(installationId)` is one.
 * Parameters are type aliases (Octokit's parameter types carry an index signature, which only aliases satisfy);
 * answers are `unknown` and parsed with zod where they are read.
 */

type Repo = { owner: string; repo: string };

export type Answer = Promise<{ status: number; data: unknown }>;

export interface OctokitSlice {
  rest: {
    issues: {
      createComment(params: Repo & { issue_number: number; body: string }): Answer;
      getComment(params: Repo & { comment_id: number }): Answer;
      updateComment(params: Repo & { comment_id: number; body: string }): Answer;
      addLabels(params: Repo & { issue_number: number; labels: string[] }): Answer;
      removeLabel(params: Repo & { issue_number: number; name: string }): Answer;
      listLabelsOnIssue(params: Repo & { issue_number: number; per_page: number }): Answer;
    };
    reactions: {
      createForIssueComment(params: Repo & { comment_id: number; content: '+1' | 'confused' }): Answer;
    };
    repos: {
      get(params: Repo): Answer;
      getBranch(params: Repo & { branch: string }): Answer;
      getContent(params: Repo & { path: string; ref: string }): Answer;
      createDeployment(
        params: Repo & {
          ref: string;
          environment: string;
          production_environment: boolean;
          transient_environment: boolean;
          auto_merge: boolean;
          required_contexts: string[];
          description: string;
          payload: Record<string, unknown>;
        },
      ): Answer;
      createDeploymentStatus(
        params: Repo & {
          deployment_id: number;
          state: 'queued' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';
          log_url: string;
          description: string;
          environment: string;
        },
      ): Answer;
    };
    pulls: {
      get(params: Repo & { pull_number: number }): Answer;
      listFiles(params: Repo & { pull_number: number; per_page: number; page: number }): Answer;
    };
    teams: {
      getMembershipForUserInOrg(params: { org: string; team_slug: string; username: string }): Answer;
    };
    checks: {
      create(params: Repo & CheckRunFields & { head_sha: string; name: string; external_id: string }): Answer;
      update(params: Repo & CheckRunFields & { check_run_id: number }): Answer;
    };
  };
}

/** The check-run fields the reporter sets. */
export type CheckRunFields = {
  status?: 'queued' | 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'cancelled' | 'skipped' | 'neutral';
  started_at?: string;
  completed_at?: string;
  details_url?: string;
  output?: { title: string; summary: string; text?: string; annotations?: CheckRunAnnotation[] };
  actions?: { label: string; description: string; identifier: string }[];
};

/** A remark at a line of a file, shown on the check run and in the pull request's diff. */
export type CheckRunAnnotation = {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
};

/** The HTTP status of an Octokit error (`RequestError`), if it is one. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const status = error.status;
  return typeof status === 'number' ? status : undefined;
}

/** `owner/repo` split. */
export function splitRepo(fullName: string): Repo {
  const slash = fullName.indexOf('/');
  return { owner: fullName.slice(0, slash), repo: fullName.slice(slash + 1) };
}
