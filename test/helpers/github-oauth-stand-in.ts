/**
 * A stand-in for GitHub during sign-in to the dashboard, on 127.0.0.1: the web flow's `/login/oauth/authorize`
 * (as if the user clicked "Authorize": a browser redirect straight back to `redirect_uri` with a code and the same
 * state) and `/login/oauth/access_token` (one-time codes), and the REST calls made with the user's token below
 * `/api/v3` (`GET /user`, `/user/installations`, `/user/installations/{installation_id}/repositories`), answered
 * per configured user with GitHub's documented examples reshaped to that user.
 *
 * Every REST request is validated on arrival against `@octokit/openapi` (route and method exist, path and query
 * parameters valid) and recorded; tests assert `violations()` is empty. Tokens can be revoked (the API answers 401)
 * and a user's repositories changed while sessions are open.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLoopback } from './tcp-servers.ts';
import { validateGitHubRequest, type RequestViolation } from './github-openapi.ts';
import { exampleResponse } from './github-openapi-examples.ts';
import { findOperation, matchPath } from './github-openapi-routes.ts';
import { isJsonObject } from './github-openapi-spec.ts';
import { readBody } from './read-body.ts';

/** Where the REST API lives below the stand-in's root, as on GitHub Enterprise Server. */
export const API_PREFIX = '/api/v3';

/** A GitHub user: installation id → the `owner/name`s the user can read in that installation of the App. */
export interface StandInUser {
  login: string;
  id: number;
  installations: Record<number, readonly string[]>;
}

/** One request to the stand-in. */
export interface StandInRequest {
  method: string;
  /** The path as received (with the API prefix), without the query. */
  path: string;
  query: Record<string, string>;
  /** `rest` for the API below {@link API_PREFIX}, `oauth` for the web flow. */
  kind: 'rest' | 'oauth';
  /** For REST requests: the description's route template, if the path matches one. */
  route: string | undefined;
  status: number;
  /** REST requests only; empty when the request conforms to GitHub's REST description. */
  violations: RequestViolation[];
}

/** How the stand-in starts. */
export interface StandInOptions {
  clientId?: string;
  clientSecret?: string;
  users: readonly StandInUser[];
  /** Who "clicks Authorize" (default: the first user). */
  signInAs?: string;
  /** The only redirect URI accepted (the App's callback URL); unset: any http(s) URL. */
  redirectUri?: string;
  /** `expires_in` of issued user tokens (GitHub: 28 800); `null` for tokens that do not expire. */
  tokenExpiresInSeconds?: number | null;
}

/** A running stand-in. */
export interface GitHubOAuthStandIn {
  /** The web root (`githubWebUrl`): `http://127.0.0.1:<port>`. */
  url: string;
  /** The REST root (`githubApiUrl`): `<url>/api/v3`. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** Every request so far. */
  readonly requests: readonly StandInRequest[];
  /** Who "clicks Authorize" from now on; `deny` answers `error=access_denied` as the Cancel button does. */
  signInAs(login: string): void;
  /** Sets the accepted redirect URI (once the app under test knows its port). */
  expectRedirectUri(uri: string | undefined): void;
  /** Adds a user, or replaces the one with that login. */
  putUser(user: StandInUser): void;
  /** Changes what a user can read: installation id → repositories. */
  setInstallations(login: string, installations: Record<number, readonly string[]>): void;
  /** Revokes every token issued to the user: the API answers 401 to them. */
  revoke(login: string): void;
  /** While set, every REST request is answered with this status (an outage, rate limiting); `undefined` ends it. */
  failApi(status: number | undefined): void;
  /** Every token issued so far (to assert none leaks into pages or cookies). */
  issuedTokens(): string[];
  /** REST requests that broke GitHub's REST description. */
  violations(): StandInRequest[];
  close(): Promise<void>;
}

interface IssuedCode {
  login: string;
  redirectUri: string;
}

interface IssuedToken {
  login: string;
  revoked: boolean;
}

const BAD_CREDENTIALS = {
  message: 'Bad credentials',
  documentation_url: 'https://docs.github.com/rest',
  status: '401',
};
const NOT_FOUND = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };

function example(method: string, route: string): Record<string, unknown> {
  const operation = findOperation(method, route);
  if (operation === undefined) throw new Error(`${method} ${route} is not in GitHub's REST description`);
  const body = exampleResponse(operation).body;
  if (!isJsonObject(body)) throw new Error(`${method} ${route} has no example object`);
  return { ...body };
}

function exampleItem(method: string, route: string, key: string): Record<string, unknown> {
  const list = example(method, route)[key];
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  if (!isJsonObject(first)) throw new Error(`${method} ${route} has no example ${key}`);
  return { ...first };
}

function paginate<T>(items: readonly T[], query: URLSearchParams): T[] {
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? '30') || 30));
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  return items.slice((page - 1) * perPage, page * perPage);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    .end(JSON.stringify(body));
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
}

function bearerOf(request: IncomingMessage): string | undefined {
  return /^(?:Bearer|token) (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

function formOrJson(text: string, contentType: string | undefined): Record<string, string> {
  if ((contentType ?? '').includes('json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isJsonObject(parsed)) return {};
      return Object.fromEntries(
        Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** Starts the stand-in on an ephemeral port of 127.0.0.1. */
export async function startGitHubOAuthStandIn(options: StandInOptions): Promise<GitHubOAuthStandIn> {
  const clientId = options.clientId ?? 'Iv23liStandInClient01';
  const clientSecret = options.clientSecret ?? `standin_secret_${randomBytes(12).toString('hex')}`;
  const users = new Map<string, StandInUser>(options.users.map((user) => [user.login, { ...user }]));
  let signInAs: string | undefined = options.signInAs ?? options.users[0]?.login;
  let redirectUri = options.redirectUri;
  let apiFailure: number | undefined;
  const expiresIn = options.tokenExpiresInSeconds === undefined ? 28_800 : options.tokenExpiresInSeconds;
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, IssuedToken>();
  const requests: StandInRequest[] = [];

  function record(entry: Omit<StandInRequest, 'status'>, status: number): void {
    requests.push({ ...entry, status });
  }

  function redirectUriOk(uri: string): boolean {
    if (redirectUri !== undefined) return uri === redirectUri;
    return /^https?:\/\//.test(uri);
  }

  function authorize(url: URL, response: ServerResponse): number {
    const query = url.searchParams;
    const uri = query.get('redirect_uri') ?? '';
    if (query.get('client_id') !== clientId) {
      sendText(response, 404, 'unknown client_id');
      return 404;
    }
    if (!redirectUriOk(uri)) {
      sendText(response, 400, 'The redirect_uri is not associated with this application.');
      return 400;
    }
    const back = new URL(uri);
    const state = query.get('state');
    if (signInAs === 'deny' || signInAs === undefined || !users.has(signInAs)) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user has denied your application access.');
    } else {
      const code = randomBytes(10).toString('hex');
      codes.set(code, { login: signInAs, redirectUri: uri });
      back.searchParams.set('code', code);
    }
    if (state !== null) back.searchParams.set('state', state);
    response.writeHead(302, { location: back.toString() }).end();
    return 302;
  }

  async function accessToken(request: IncomingMessage, response: ServerResponse): Promise<number> {
    const fields = formOrJson(await readBody(request), request.headers['content-type']);
    const refuse = (error: string, description: string): number => {
      sendJson(response, 200, {
        error,
        error_description: description,
        error_uri: 'https://docs.github.com/apps/troubleshooting',
      });
      return 200;
    };
    if (fields.client_id !== clientId || fields.client_secret !== clientSecret) {
      return refuse('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
    }
    const code = fields.code ?? '';
    const issued = codes.get(code);
    codes.delete(code);
    if (issued === undefined) return refuse('bad_verification_code', 'The code passed is incorrect or expired.');
    if (fields.redirect_uri !== undefined && fields.redirect_uri !== issued.redirectUri) {
      return refuse(
        'redirect_uri_mismatch',
        'The redirect_uri MUST match the registered callback URL for this application.',
      );
    }
    const token = `ghu_${randomBytes(18).toString('hex')}`;
    tokens.set(token, { login: issued.login, revoked: false });
    const answer: Record<string, unknown> = { access_token: token, token_type: 'bearer', scope: '' };
    if (expiresIn !== null) {
      Object.assign(answer, {
        expires_in: expiresIn,
        refresh_token: `ghr_${randomBytes(30).toString('hex')}`,
        refresh_token_expires_in: 15_811_200,
      });
    }
    const wantsJson = (request.headers.accept ?? '').includes('json');
    if (wantsJson) sendJson(response, 200, answer);
    else {
      const form = new URLSearchParams();
      for (const [key, value] of Object.entries(answer)) form.set(key, String(value));
      response.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' }).end(form.toString());
    }
    return 200;
  }

  function installationOf(id: number, owner: string): Record<string, unknown> {
    const installation = exampleItem('GET', '/user/installations', 'installations');
    const account = isJsonObject(installation.account) ? { ...installation.account, login: owner } : { login: owner };
    return { ...installation, id, account, client_id: clientId };
  }

  function repositoryOf(fullName: string, index: number): Record<string, unknown> {
    const repository = exampleItem('GET', '/user/installations/{installation_id}/repositories', 'repositories');
    const [owner = '', name = ''] = fullName.split('/');
    const ownerObject = isJsonObject(repository.owner) ? { ...repository.owner, login: owner } : { login: owner };
    return { ...repository, id: 10_000 + index, name, full_name: fullName, owner: ownerObject, private: true };
  }

  /** Answers one REST request whose path (without the prefix) matched `route`. */
  function rest(
    route: string,
    pathParams: Record<string, string>,
    query: URLSearchParams,
    user: StandInUser,
  ): { status: number; body: unknown } {
    switch (route) {
      case '/user':
        return { status: 200, body: { ...example('GET', '/user'), login: user.login, id: user.id } };
      case '/user/installations': {
        const all = Object.entries(user.installations).map(([id, repos]) =>
          installationOf(Number(id), repos[0]?.split('/')[0] ?? user.login),
        );
        return { status: 200, body: { total_count: all.length, installations: paginate(all, query) } };
      }
      case '/user/installations/{installation_id}/repositories': {
        const repos = user.installations[Number(pathParams.installation_id)];
        if (repos === undefined) return { status: 404, body: NOT_FOUND };
        const all = repos.map((fullName, index) => repositoryOf(fullName, index));
        return {
          status: 200,
          body: { total_count: all.length, repository_selection: 'selected', repositories: paginate(all, query) },
        };
      }
      default:
        return { status: 404, body: NOT_FOUND };
    }
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const base = { method, path: url.pathname, query: Object.fromEntries(url.searchParams) };
    if (url.pathname === '/login/oauth/authorize' && method === 'GET') {
      record({ ...base, kind: 'oauth', route: undefined, violations: [] }, authorize(url, response));
      return;
    }
    if (url.pathname === '/login/oauth/access_token' && method === 'POST') {
      record({ ...base, kind: 'oauth', route: undefined, violations: [] }, await accessToken(request, response));
      return;
    }
    if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
      sendText(response, 404, 'Not Found');
      record({ ...base, kind: 'oauth', route: undefined, violations: [] }, 404);
      return;
    }
    const path = url.pathname.slice(API_PREFIX.length);
    const text = await readBody(request);
    const validation = validateGitHubRequest({
      method,
      url: `${path}${url.search}`,
      body: text === '' ? undefined : text,
    });
    const matched = matchPath(method, path);
    const entry = {
      ...base,
      kind: 'rest' as const,
      route: matched?.route,
      violations: validation.ok ? [] : validation.violations,
    };
    const headers = {
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `STANDIN:${requests.length + 1}`,
    };
    if (apiFailure !== undefined) {
      sendJson(
        response,
        apiFailure,
        { message: 'Service unavailable (stand-in outage)', status: String(apiFailure) },
        headers,
      );
      record(entry, apiFailure);
      return;
    }
    const token = bearerOf(request);
    const issued = token === undefined ? undefined : tokens.get(token);
    const user = issued === undefined || issued.revoked ? undefined : users.get(issued.login);
    if (user === undefined) {
      sendJson(response, 401, BAD_CREDENTIALS, headers);
      record(entry, 401);
      return;
    }
    const answer =
      matched?.operation === undefined
        ? { status: 404, body: NOT_FOUND }
        : rest(matched.route, matched.pathParams, url.searchParams, user);
    sendJson(response, answer.status, answer.body, headers);
    record(entry, answer.status);
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  const listening = await listenLoopback(server);
  const url = `http://127.0.0.1:${listening.port}`;

  return {
    url,
    apiUrl: `${url}${API_PREFIX}`,
    clientId,
    clientSecret,
    requests,
    signInAs(login) {
      signInAs = login;
    },
    expectRedirectUri(uri) {
      redirectUri = uri;
    },
    putUser(user) {
      users.set(user.login, { ...user });
    },
    setInstallations(login, installations) {
      const user = users.get(login);
      if (user === undefined) throw new Error(`no user ${login} in the stand-in`);
      users.set(login, { ...user, installations });
    },
    revoke(login) {
      for (const issued of tokens.values()) if (issued.login === login) issued.revoked = true;
    },
    failApi(status) {
      apiFailure = status;
    },
    issuedTokens: () => [...tokens.keys()],
    violations: () => requests.filter((request) => request.violations.length > 0),
    close: () => listening.close(),
  };
}
