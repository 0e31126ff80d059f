/**
 * The real App server in-process for tests: a real Probot (test App id, an RSA key made at test time) pointed at
 * a fake GitHub API, with every outgoing request validated against `@octokit/openapi`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ProbotOctokit, type ApplicationFunction, type Probot } from 'probot';
import { pino } from 'pino';
import { createAppProbot } from '../../src/server/create-app-probot.ts';
import type { RouteHandler } from '../../src/http/http-server.ts';
import { startAppServer, type RunningServer } from '../../src/server/start-app-server.ts';
import type { FakeGitHubApi } from './github-fake-api.ts';
import { createValidationLog, openApiValidationPlugin, type OpenApiValidationLog } from './github-openapi-hook.ts';

/** A GitHub App private key as GitHub hands them out (PKCS#1 PEM), fresh for each call; never stored. */
export function generateAppPrivateKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return privateKey;
}

/**
 * Probot's Octokit with the OpenAPI validation, and without request pacing unless `throttled`: Probot's throttling
 * spaces writes 1 s apart per installation (3 s for those that notify people, e.g. comments), GitHub's secondary rate
 * limits, which would only slow most tests down. The function form runs after Probot's own defaults, so
 * `enabled: false` is what reaches the plugin.
 */
export function testOctokit(validation: OpenApiValidationLog, throttled = false): typeof ProbotOctokit {
  const validated = ProbotOctokit.plugin(openApiValidationPlugin(validation));
  if (throttled) return validated;
  return validated.defaults((options: ConstructorParameters<typeof ProbotOctokit>[0]) => ({
    ...options,
    throttle: { ...(options?.throttle as object | undefined), enabled: false },
  }));
}

/** A running test App. */
export interface TestApp {
  server: RunningServer;
  probot: Probot;
  /** The webhook secret deliveries must be signed with. */
  secret: string;
  appId: number;
  /** Requests the App tried to send that break GitHub's REST description (they were not sent). */
  validation: OpenApiValidationLog;
  close(): Promise<void>;
}

/** Options of {@link startTestApp}. */
export interface TestAppOptions {
  /** The app function (Yardmaster's is `createYardmasterApp(deps)`). */
  app: ApplicationFunction;
  /** Log level of the Probot logger (default: `TEST_LOG_LEVEL` or silent). */
  logLevel?: string;
  /** More routes on the same server (e.g. `/slack/events`). */
  routes?: ReadonlyMap<string, RouteHandler>;
  /** Keeps Octokit's real request throttling on (GitHub's write budget per installation). */
  throttled?: boolean;
}

/** Starts the App server on an ephemeral port of 127.0.0.1, talking to `fake`. */
export async function startTestApp(fake: FakeGitHubApi, options: TestAppOptions): Promise<TestApp> {
  const validation = createValidationLog();
  const secret = randomBytes(20).toString('hex');
  const appId = 123456;
  const log = pino({ level: options.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent' });
  const probot = createAppProbot({
    appId,
    privateKey: generateAppPrivateKey(),
    webhookSecret: secret,
    githubApiUrl: fake.baseUrl,
    log,
    Octokit: testOctokit(validation, options.throttled),
  });
  const server = await startAppServer({
    probot,
    app: options.app,
    port: 0,
    host: '127.0.0.1',
    webhookPath: '/api/github/webhooks',
    log,
    closeGraceMs: 2000,
    ...(options.routes === undefined ? {} : { routes: options.routes }),
  });
  return { server, probot, secret, appId, validation, close: () => server.close() };
}
