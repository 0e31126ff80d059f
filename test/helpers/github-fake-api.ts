/**
 * A recording stand-in for api.github.com on 127.0.0.1, for a real Probot/Octokit pointed at it with `baseUrl`.
 *
 * Only routes switched on answer (by default the ones the app uses, see DEFAULT_ROUTES); every other request gets
 * GitHub's 404. Every request is recorded and validated on arrival against `@octokit/openapi` as well, so a client
 * without the validation hook cannot slip a bad request through unnoticed.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { validateGitHubRequest, type RequestViolation } from './github-openapi.ts';
import { exampleResponse } from './github-openapi-examples.ts';
import { findOperation, matchPath } from './github-openapi-routes.ts';
import { isJsonObject } from './github-openapi-spec.ts';
import { readBody } from './read-body.ts';
import { createRecordWaiter } from './record-waiter.ts';

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  /** The concrete path, without the query string. */
  path: string;
  query: Record<string, string>;
  /** When it arrived (epoch ms). */
  at: number;
  /** The description's route template, when the path matches one. */
  route: string | undefined;
  operationId: string | undefined;
  pathParams: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, the raw text when it is not JSON, `undefined` when empty. */
  body: unknown;
  /** What the fake answered. */
  status: number;
  /** Empty when the request conforms to GitHub's REST description. */
  violations: RequestViolation[];
}

/** What a route handler answers. */
export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Answers one route; `request.status` is not yet set when it runs. */
export type FakeRouteHandler = (request: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

/** What {@link FakeGitHubApi.waitForRequests} waits for. */
export interface WaitOptions {
  /** How many matching requests (default 1). */
  count?: number;
  /** Bound on the wait (default 5000 ms). */
  timeoutMs?: number;
  /** Only requests this accepts count. */
  where?: (request: RecordedRequest) => boolean;
}

/** A running fake (see the module comment). Route keys are `METHOD template`: `POST /repos/{owner}/{repo}/check-runs`. */
export interface FakeGitHubApi {
  /** `http://127.0.0.1:<port>`: Probot's / Octokit's `baseUrl`. */
  baseUrl: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Answers a route with a handler of the test's own (replaces the default). */
  handle(routeKey: string, handler: FakeRouteHandler): void;
  /** The handler answering a route now (to wrap it, and put it back). */
  handlerOf(routeKey: string): FakeRouteHandler | undefined;
  /** Answers a route with its documented example, the request's JSON fields laid over it, and a fresh `id`. */
  answerWithExample(routeKey: string): void;
  /** Recorded requests to one route. */
  requestsTo(routeKey: string): RecordedRequest[];
  /** Waits until requests to the route (those `where` accepts) number `count`; rejects after `timeoutMs`. */
  waitForRequests(routeKey: string, options?: WaitOptions): Promise<RecordedRequest[]>;
  /** Requests that broke GitHub's REST description (unknown routes included). */
  violations(): RecordedRequest[];
  close(): Promise<void>;
}

/** Routes answered from the start: those the App uses (comments, tokens) and is about to (reactions, labels, check runs, deployments). */
export const DEFAULT_ROUTES: readonly string[] = [
  'POST /app/installations/{installation_id}/access_tokens',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'GET /repos/{owner}/{repo}/issues/comments/{comment_id}',
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
  'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
  'POST /repos/{owner}/{repo}/check-runs',
  'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
  'POST /repos/{owner}/{repo}/deployments',
  'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
];

const NOT_FOUND = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };

function splitKey(routeKey: string): { method: string; route: string } {
  const space = routeKey.indexOf(' ');
  const method = routeKey.slice(0, space).toUpperCase();
  const route = routeKey.slice(space + 1);
  if (space <= 0 || findOperation(method, route) === undefined) {
    throw new Error(`${routeKey} is not an operation of GitHub's REST description`);
  }
  return { method, route };
}

function keyOf(method: string, route: string): string {
  return `${method.toUpperCase()} ${route}`;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function tokenAnswer(counter: () => number): FakeRouteHandler {
  return () => ({
    status: 201,
    body: {
      token: `ghs_fake${String(counter()).padStart(32, '0')}`,
      expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      permissions: {
        issues: 'write',
        pull_requests: 'write',
        checks: 'write',
        deployments: 'write',
        contents: 'read',
        members: 'read',
      },
      repository_selection: 'all',
    },
  });
}

function exampleAnswer(method: string, route: string, counter: () => number): FakeRouteHandler {
  const operation = findOperation(method, route);
  if (operation === undefined) throw new Error(`${method} ${route} is not described`);
  return (request) => {
    const example = exampleResponse(operation);
    if (!isJsonObject(example.body)) return { status: example.status, body: example.body };
    const answer: Record<string, unknown> = { ...example.body, ...(isJsonObject(request.body) ? request.body : {}) };
    if (typeof answer.id === 'number') answer.id = counter();
    return { status: example.status, body: answer };
  };
}

/** Starts the fake on an ephemeral port of 127.0.0.1 with {@link DEFAULT_ROUTES} answered. */
export async function startFakeGitHubApi(): Promise<FakeGitHubApi> {
  const requests: RecordedRequest[] = [];
  const handlers = new Map<string, FakeRouteHandler>();
  const waiter = createRecordWaiter();
  const sockets = new Set<Socket>();
  let nextId = 1000;
  const counter = (): number => nextId++;

  const answerWithExample = (routeKey: string): void => {
    const { method, route } = splitKey(routeKey);
    handlers.set(keyOf(method, route), exampleAnswer(method, route, counter));
  };
  for (const routeKey of DEFAULT_ROUTES) answerWithExample(routeKey);
  handlers.set('POST /app/installations/{installation_id}/access_tokens', tokenAnswer(counter));

  async function serve(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = (incoming.method ?? 'GET').toUpperCase();
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const body = parseBody(await readBody(incoming));
    const matched = matchPath(method, url.pathname);
    const validation = validateGitHubRequest({ method, url: `${url.pathname}${url.search}`, body });
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      at,
      query: Object.fromEntries(url.searchParams),
      route: matched?.route,
      operationId: matched?.operation?.operationId,
      pathParams: matched?.pathParams ?? {},
      headers: incoming.headers,
      body,
      status: 0,
      violations: validation.ok ? [] : validation.violations,
    };
    const handler = matched === undefined ? undefined : handlers.get(keyOf(method, matched.route));
    let answer: FakeResponse;
    try {
      answer = handler === undefined ? { status: 404, body: NOT_FOUND } : await handler(recorded);
    } catch (error) {
      answer = { status: 500, body: { message: error instanceof Error ? error.message : String(error) } };
    }
    recorded.status = answer.status;
    requests.push(recorded);
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': `FAKE:${requests.length}`,
      ...answer.headers,
    });
    response.end(text);
    waiter.recorded();
  }

  const server = createServer((incoming, response) => {
    serve(incoming, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the fake GitHub API has no TCP address');

  const requestsTo = (routeKey: string): RecordedRequest[] => {
    const { method, route } = splitKey(routeKey);
    return requests.filter((request) => request.method === method && request.route === route);
  };

  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    requests,
    handle(routeKey, handler) {
      const { method, route } = splitKey(routeKey);
      handlers.set(keyOf(method, route), handler);
    },
    handlerOf(routeKey) {
      const { method, route } = splitKey(routeKey);
      return handlers.get(keyOf(method, route));
    },
    answerWithExample,
    requestsTo,
    waitForRequests(routeKey, { count = 1, timeoutMs = 5000, where = () => true } = {}) {
      return waiter.wait(
        () => requestsTo(routeKey).filter(where),
        count,
        timeoutMs,
        () => {
          const seen =
            requests.map((request) => `${request.method} ${request.path} → ${request.status}`).join('\n  ') || '(none)';
          return `waited ${timeoutMs} ms for ${count} × ${routeKey}; requests so far:\n  ${seen}`;
        },
      );
    },
    violations: () => requests.filter((request) => request.violations.length > 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
