/** Step two of GitHub's web flow: the code from the callback traded for a user access token. */
import { z } from 'zod';
import { askGitHub, type GitHubFailure } from './github-failure.ts';

/** What the exchange needs. */
export interface CodeExchange {
  fetch: typeof fetch;
  /** GitHub's web root (`https://github.com`). */
  githubWebUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
  /** The same redirect URI the authorize request named. */
  redirectUri: string;
}

/** A user token; `expiresInSeconds` when the App's user tokens expire (GitHub's default: 8 hours). */
export type CodeExchangeResult =
  | { ok: true; accessToken: string; expiresInSeconds: number | undefined }
  | GitHubFailure;

const tokenAnswer = z.union([
  z.object({
    access_token: z.string().min(1),
    token_type: z.string().optional(),
    expires_in: z.coerce.number().positive().optional(),
  }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);

/** POSTs the code to `<web>/login/oauth/access_token` and reads the JSON answer (errors come as 200 with `error`). */
export async function exchangeCode(exchange: CodeExchange): Promise<CodeExchangeResult> {
  const what = 'exchanging the sign-in code';
  const answer = await askGitHub(what, exchange.fetch, `${exchange.githubWebUrl}/login/oauth/access_token`, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'yardmaster',
    },
    body: new URLSearchParams({
      client_id: exchange.clientId,
      client_secret: exchange.clientSecret,
      code: exchange.code,
      redirect_uri: exchange.redirectUri,
    }).toString(),
  });
  if (!answer.ok) return answer;
  const { response, body } = answer;
  if (body === undefined)
    return { ok: false, reason: 'error', message: `${what}: GitHub answered ${response.status} without JSON` };
  const parsed = tokenAnswer.safeParse(body);
  if (parsed.success && 'error' in parsed.data) {
    const description = parsed.data.error_description === undefined ? '' : `: ${parsed.data.error_description}`;
    return { ok: false, reason: 'error', message: `${what}: GitHub refused it (${parsed.data.error}${description})` };
  }
  if (!response.ok || !parsed.success || !('access_token' in parsed.data)) {
    return {
      ok: false,
      reason: 'error',
      message: `${what}: GitHub answered ${response.status} with an unexpected body`,
    };
  }
  return { ok: true, accessToken: parsed.data.access_token, expiresInSeconds: parsed.data.expires_in };
}
