/** Shared types of the dashboard (src/web). */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Who is looking: a signed-in GitHub user and the repositories (owner/name) they may read. */
export interface Viewer {
  login: string;
  /** Repositories the user could read when last checked; only these repos' orders, releases and logs are shown. */
  repos: readonly string[];
  /** The token every form of this session carries (checked on POST). */
  csrfToken: string;
  /**
   * The local viewer of `yardmaster dashboard`: also sees what concerns no repository (audit rows of the lane
   * library and operator actions, the library itself even when no repository is known).
   */
  everything?: boolean;
}

/**
 * The sign-in side of the dashboard (src/web/auth): GitHub OAuth routes, sessions in signed http-only cookies,
 * CSRF tokens.
 */
export interface DashboardAuth {
  /**
   * Answers the sign-in routes it owns (`/dashboard/login`, `/dashboard/auth/callback`, `/dashboard/logout`) and
   * returns true; false for any other path.
   */
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean>;
  /** The signed-in viewer of a request (a valid, unexpired session cookie), or null. */
  viewer(request: IncomingMessage): Promise<Viewer | null>;
  /** Whether a form's token is the session's (constant-time). */
  csrfOk(viewer: Viewer, token: string | undefined): boolean;
}
