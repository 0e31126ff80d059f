/** The App's Slack step: the settings from the environment, and Slack started when they turn it on. */
import type { AppDeps } from '../app.ts';
import { createGitHubConfigLoader } from '../github/index.ts';
import { githubWebUrl } from '../lib/github-web-url.ts';
import { parseSlackEnv, startSlack } from '../slack/index.ts';
import type { AppContext, AppSlack, StepResult } from './app-parts.ts';

/** Slack when its settings turn it on, undefined when they leave it off, or why the settings are wrong. */
export async function startAppSlack(
  context: AppContext,
  service: AppDeps['service'],
): Promise<StepResult<AppSlack | undefined>> {
  const slackEnv = parseSlackEnv(context.env);
  if (!slackEnv.ok) return { ok: false, problems: slackEnv.problems };
  if (!slackEnv.settings.enabled) return { ok: true, value: undefined };
  const { probot, publicUrl, log, config } = context;
  const githubFor = (installationId: number) => probot.auth(installationId);
  const slack = await startSlack(slackEnv.settings, {
    service,
    githubFor,
    loadConfig: createGitHubConfigLoader(githubFor),
    publicUrl,
    githubWebUrl: githubWebUrl(config.githubApiUrl),
    log,
  });
  return { ok: true, value: slack };
}
