/** The Probot instance of a configured App. */
import { Probot, type ProbotOctokit } from 'probot';
import type { Logger } from 'pino';

/** What the Probot instance is made of. */
export interface AppProbotOptions {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** GitHub's REST API root: https://api.github.com, a GitHub Enterprise `/api/v3`, or a test fake. */
  githubApiUrl: string;
  log: Logger;
  /** Octokit class to use (tests add request validation); Probot's own by default. */
  Octokit?: typeof ProbotOctokit;
}

/** A Probot for the App, with every setting explicit (Probot reads no environment variable of its own here). */
export function createAppProbot(options: AppProbotOptions): Probot {
  return new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.webhookSecret,
    baseUrl: options.githubApiUrl,
    log: options.log,
    ...(options.Octokit === undefined ? {} : { Octokit: options.Octokit }),
  });
}
