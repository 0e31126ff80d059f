/** Why a request to GitHub on a user's behalf failed. */

/** `unauthorized`: GitHub answered 401 (the token was revoked or expired); `error`: anything else. */
export interface GitHubFailure {
  ok: false;
  reason: 'unauthorized' | 'error';
  /** For logs and error pages; never contains a token or secret. */
  message: string;
}

/** How long one request to GitHub may take. */
export const GITHUB_TIMEOUT_MS = 10_000;

/** A failure from a thrown fetch (network, timeout). */
export function unreachable(what: string, error: unknown): GitHubFailure {
  const cause =
    error instanceof Error
      ? error.name === 'TimeoutError'
        ? `no answer within ${GITHUB_TIMEOUT_MS / 1000} s`
        : error.message
      : String(error);
  return { ok: false, reason: 'error', message: `${what}: GitHub could not be reached (${cause})` };
}

/** What GitHub answered: the response and its body parsed as JSON (`undefined` when it was not JSON). */
export type GitHubAnswer = { ok: true; response: Response; body: unknown } | GitHubFailure;

/** Sends a request to GitHub (with the timeout) and reads the JSON body; a thrown fetch becomes {@link unreachable}. */
export async function askGitHub(
  what: string,
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
): Promise<GitHubAnswer> {
  let response: Response;
  try {
    response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS) });
  } catch (error) {
    return unreachable(what, error);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  return { ok: true, response, body };
}
