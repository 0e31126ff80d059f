/**
 * The environment-set notice: a change on the default branch added or changed an environment, so its settings are in
 * force and work orders for it may be opened (the last step of setting up an app). It comes from the audit row the
 * GitHub adapter writes (ENVIRONMENT_SET_AUDIT_ACTION) and goes to the environment's `notify` subscribers that take
 * `environment_set`, and to each project manager of the repository as a Slack DM where `slack.users` maps them.
 */
import { z } from 'zod';

export const environmentNoticeSchema = z.object({
  /** The audit row's id: the delivery id of every message about it. */
  id: z.number().int().nonnegative(),
  repoFullName: z.string(),
  app: z.string(),
  environment: z.string(),
  change: z.enum(['added', 'changed']),
  commit: z.string(),
  actor: z.string(),
  at: z.coerce.date(),
  /** Where people see the environments (the dashboard). */
  url: z.string(),
});
export type EnvironmentNotice = z.infer<typeof environmentNoticeSchema>;

/** The audit row's `data`, as the GitHub adapter writes it. */
export const environmentSetDataSchema = z.object({
  app: z.string(),
  environment: z.string(),
  change: z.enum(['added', 'changed']),
  commit: z.string(),
  installationId: z.number().int().positive(),
});

/** Names and logins come from a repository; a line break in them must not break a header or a line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `[Yardmaster] environment shop/staging is set (owner/repo)`: the e-mail subject and the first Slack line. */
export function noticeSubject(notice: EnvironmentNotice): string {
  return `[Yardmaster] environment ${oneLine(notice.app)}/${oneLine(notice.environment)} is set (${notice.repoFullName})`;
}

/** The plain-text body: what was set, by whom, in which commit, and the link. */
export function noticeText(notice: EnvironmentNotice): string {
  return [
    `Environment ${oneLine(notice.environment)} of ${oneLine(notice.app)} in ${notice.repoFullName} is set: ${notice.change} on the default branch.`,
    'Work orders for it can be opened now.',
    `Commit: ${notice.commit}`,
    `By: ${oneLine(notice.actor)}`,
    `At: ${notice.at.toISOString()}`,
    `Link: ${notice.url}`,
    '',
  ].join('\n');
}

/** The webhook body, snake_case like the key events'. */
export function noticeJson(notice: EnvironmentNotice): object {
  return {
    id: notice.id,
    event: 'environment_set',
    repo: notice.repoFullName,
    app: notice.app,
    environment: notice.environment,
    change: notice.change,
    commit: notice.commit,
    actor: notice.actor,
    at: notice.at.toISOString(),
    url: notice.url,
  };
}
