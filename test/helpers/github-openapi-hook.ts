/**
 * Validates every request an Octokit instance sends, before it leaves: `hook.before('request')` still sees the
 * route template in `options.url` and the parameters unsplit, so violations name the parameter the code got wrong.
 * A violating request is recorded and rejected with {@link OpenApiViolationError}; nothing reaches the network.
 */
import {
  formatViolations,
  validateGitHubRequest,
  type RequestViolation,
  type ValidationOptions,
} from './github-openapi.ts';

/** What `hook.before('request')` passes: endpoint options with the route template still in `url`. */
export interface OctokitRequestOptions {
  method: string;
  url: string;
  [parameter: string]: unknown;
}

/** The slice of Octokit the validation needs. */
export interface HookableOctokit {
  hook: {
    before(name: 'request', hook: (options: OctokitRequestOptions) => void | Promise<void>): void;
  };
}

/** One refused request. */
export interface ViolationRecord {
  method: string;
  url: string;
  violations: RequestViolation[];
}

/** Shared by every Octokit a validation is attached to; tests assert `violations` is empty at the end. */
export interface OpenApiValidationLog {
  /** Requests checked, refused ones included. */
  checked: number;
  violations: ViolationRecord[];
}

/** Thrown (as the request's rejection) for a request that breaks GitHub's REST description. */
export class OpenApiViolationError extends Error {
  readonly violations: RequestViolation[];

  constructor(method: string, url: string, violations: RequestViolation[]) {
    super(`${method} ${url} breaks GitHub's REST description:\n${formatViolations(violations)}`);
    this.name = 'OpenApiViolationError';
    this.violations = violations;
  }
}

/** An empty log to share between Octokit instances. */
export function createValidationLog(): OpenApiValidationLog {
  return { checked: 0, violations: [] };
}

/** GraphQL is not part of the REST description; its queries are out of scope here. */
function isGraphql(url: string): boolean {
  return /(^|\/)graphql$/.test(url.split('?')[0] ?? '');
}

/**
 * Validates each request of `octokit` against `@octokit/openapi`; a violating request is recorded in `log` and
 * rejected before it is sent.
 *
 * @returns the log (a fresh one unless given).
 */
export function attachOpenApiValidation(
  octokit: HookableOctokit,
  log: OpenApiValidationLog = createValidationLog(),
  options: ValidationOptions = {},
): OpenApiValidationLog {
  octokit.hook.before('request', (request) => {
    if (isGraphql(request.url)) return;
    log.checked++;
    const result = validateGitHubRequest({ method: request.method, url: request.url, params: request }, options);
    if (result.ok) return;
    log.violations.push({ method: request.method, url: request.url, violations: result.violations });
    throw new OpenApiViolationError(request.method, request.url, result.violations);
  });
  return log;
}

/**
 * The same as an Octokit plugin, so that every instance a class creates is covered, e.g. every installation
 * client of a Probot: `new Probot({ Octokit: ProbotOctokit.plugin(openApiValidationPlugin(log)) })`.
 */
export function openApiValidationPlugin(
  log: OpenApiValidationLog,
  options: ValidationOptions = {},
): (octokit: HookableOctokit) => void {
  return (octokit) => {
    attachOpenApiValidation(octokit, log, options);
  };
}
