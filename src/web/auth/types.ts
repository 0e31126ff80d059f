/** Shared types of the dashboard's sign-in (src/web/auth). */
import type { DbExecutor } from '../../db/types.ts';
import type { SessionKeys } from './session-keys.ts';

/** Where sign-ins, sign-outs and GitHub trouble are logged (a pino logger fits). Never given a token. */
export interface DashboardAuthLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** What {@link import('./create-dashboard-auth.ts').createDashboardAuth} needs. */
export interface DashboardAuthOptions {
  db: DbExecutor;
  /** The GitHub App's OAuth client id and one of its client secrets. */
  clientId: string;
  clientSecret: string;
  /** Signs cookies and CSRF tokens, seals stored GitHub tokens (see dashboard-auth-env.ts). */
  sessionSecret: string;
  /** Where browsers reach this server (`https://yardmaster.example.com`); the OAuth callback is below it. */
  publicUrl: string;
  /** GitHub's web root (`https://github.com`) and REST root (`https://api.github.com`). */
  githubWebUrl: string;
  githubApiUrl: string;
  /** Session length; default 8 (GitHub's lifetime of an App's user token, which ends the session anyway). */
  sessionHours?: number;
  fetch?: typeof fetch;
  now?: () => Date;
  log?: DashboardAuthLog;
}

/** The options resolved, shared by the route and session modules. */
export interface AuthContext {
  db: DbExecutor;
  clientId: string;
  clientSecret: string;
  keys: SessionKeys;
  publicUrl: string;
  githubWebUrl: string;
  githubApiUrl: string;
  sessionSeconds: number;
  /** Cookies carry `Secure` when the public URL is https. */
  secureCookies: boolean;
  fetch: typeof fetch;
  now: () => Date;
  log: DashboardAuthLog;
}
