/** The repo config's `slack.users` (GitHub login → Slack member id), looked up both ways. */
import type { RepoConfig } from '../config/types.ts';

/** The GitHub login a Slack member acts as, if the repo config maps one. */
export function githubLoginOf(config: RepoConfig, slackUserId: string): string | undefined {
  const entry = Object.entries(config.slack?.users ?? {}).find(([, member]) => member === slackUserId);
  return entry?.[0];
}

/** `<@U123>` for a mapped GitHub login, else `@login`. */
export function mentionOf(config: RepoConfig, login: string): string {
  const member = config.slack?.users[login];
  return member === undefined ? `@${login}` : `<@${member}>`;
}

/** The channel of an environment's approval messages: its own, else the repo's. */
export function approvalChannelOf(config: RepoConfig, app: string, environment: string): string | undefined {
  return config.apps[app]?.environments[environment]?.slackChannel ?? config.slack?.channel;
}
