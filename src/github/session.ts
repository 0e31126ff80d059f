/**
 * One webhook delivery as the work-order handlers see it: the repository, a GitHub client, the service's
 * collaborators, and the repo context (config of the default branch + team lookups), read once and only when needed.
 */
import type { RepoContext } from '../workorders/service/index.ts';
import type { AppDeps } from './app-deps.ts';
import type { OctokitSlice } from './octokit-slice.ts';
import { loadRepoConfig } from './repo-config.ts';
import { githubTeamMembership } from './team-membership.ts';
import type { HandlerLog } from './types.ts';
import type { RepoEvent } from './webhook-payloads.ts';

export interface Session {
  deps: AppDeps;
  github: OctokitSlice;
  log: HandlerLog;
  deliveryId: string;
  repoFullName: string;
  owner: string;
  repo: string;
  defaultBranch: string;
  installationId: number;
  sender: string;
  senderIsBot: boolean;
  /** The repo context; a config that cannot be read is reported as a comment on `number`, and `undefined` returned. */
  repoContext(number: number): Promise<RepoContext | undefined>;
  comment(number: number, body: string): Promise<void>;
  /** 👍 for a command taken, 😕 for one refused. */
  react(commentId: number, accepted: boolean): Promise<void>;
}

export function createSession(
  deps: AppDeps,
  github: OctokitSlice,
  log: HandlerLog,
  deliveryId: string,
  event: RepoEvent,
): Session {
  const owner = event.repository.owner.login;
  const repo = event.repository.name;
  let loaded: ReturnType<typeof loadRepoConfig> | undefined;
  const session: Session = {
    deps,
    github,
    log,
    deliveryId,
    repoFullName: event.repository.full_name,
    owner,
    repo,
    defaultBranch: event.repository.default_branch,
    installationId: event.installation.id,
    sender: event.sender.login,
    senderIsBot: event.sender.type === 'Bot',
    async repoContext(number) {
      loaded ??= loadRepoConfig(github, event.repository.full_name, event.repository.default_branch);
      const config = await loaded;
      if (!config.ok) {
        await session.comment(
          number,
          `**Yardmaster cannot act on this work order:** the repo config is unusable.\n\n\`\`\`text\n${config.message}\n\`\`\`\n\nFix it on the default branch and try again.`,
        );
        log.warn({ repo: event.repository.full_name, problem: config.message }, 'repo config unusable');
        return undefined;
      }
      return { config: config.config, org: owner, membership: githubTeamMembership(github) };
    },
    async comment(number, body) {
      await github.rest.issues.createComment({ owner, repo, issue_number: number, body });
    },
    async react(commentId, accepted) {
      try {
        await github.rest.reactions.createForIssueComment({
          owner,
          repo,
          comment_id: commentId,
          content: accepted ? '+1' : 'confused',
        });
      } catch (error) {
        // A reaction is a courtesy; the reply says what happened either way.
        log.warn({ err: error, commentId }, 'reaction failed');
      }
    },
  };
  return session;
}
