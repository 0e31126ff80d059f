/**
 * What a process with App credentials gives its workers: the repo config read from each order's repository
 * (`.github/yardmaster.yml` of the default branch) and the GitHub reporter (deployments, check runs, comments,
 * labels), both through `probot.auth(installationId)`.
 */
import type { Probot } from 'probot';
import type { Database } from '../db/types.ts';
import { createGitHubReporter, createGitHubConfigLoader } from '../github/index.ts';
import type { GitHubWorkerWiring } from '../runtime/index.ts';

/** Where the reporter logs GitHub failures. */
export interface WiringLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** The GitHub side of the workers for `probot`'s App. */
export function githubWorkerWiring(
  probot: Probot,
  database: Database,
  publicUrl: string,
  log: WiringLog,
): GitHubWorkerWiring {
  const githubFor = (installationId: number) => probot.auth(installationId);
  const reporter = createGitHubReporter({ githubFor, database, publicUrl, log });
  const load = createGitHubConfigLoader(githubFor);
  return {
    configSource: { name: 'github', load: (repo) => load(repo) },
    report: reporter,
    idle: () => reporter.idle(),
  };
}
