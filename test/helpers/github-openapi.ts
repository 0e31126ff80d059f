/**
 * Checks a GitHub REST request against `@octokit/openapi` (api.github.com): the route and method exist, path and
 * query parameters are present and well typed, and the JSON body matches the operation's requestBody schema
 * (see github-openapi-schema.ts for the subset), plus the rules in github-openapi-rules.ts.
 */
import { extraRuleViolations } from './github-openapi-rules.ts';
import {
  findOperation,
  isKnownRoute,
  matchPath,
  methodsOf,
  normalizeRoute,
  type OpenApiOperation,
  type OpenApiParameter,
} from './github-openapi-routes.ts';
import { validateSchema, type SchemaIssue } from './github-openapi-schema.ts';
import { isJsonObject, objectAt, stringAt } from './github-openapi-spec.ts';
import type {
  GitHubRequestInput,
  GitHubRequestValidation,
  OperationRef,
  RequestViolation,
  ValidationOptions,
} from './github-openapi-types.ts';

export type {
  GitHubRequestInput,
  GitHubRequestValidation,
  OperationRef,
  RequestViolation,
  ValidationOptions,
  ViolationRule,
} from './github-openapi-types.ts';

interface Located {
  operation: OpenApiOperation;
  pathParams: Record<string, unknown>;
  query: Map<string, unknown>;
  body: unknown;
  violations: RequestViolation[];
}

type Location = { ok: true; located: Located } | { ok: false; violations: RequestViolation[] };

const URL_META = new Set(['method', 'baseUrl', 'url', 'headers', 'request', 'mediaType']);

function unknownRoute(method: string, path: string, message: string): Location {
  return { ok: false, violations: [{ rule: 'unknown-route', path: `${method} ${path}`, message }] };
}

function missingMethod(method: string, route: string): Location {
  return unknownRoute(method, route, `GitHub has ${route} only with ${methodsOf(route).join(', ')}`);
}

/** Splits Octokit parameters the way @octokit/endpoint does: path variables, then query or body. */
function fromTemplate(
  method: string,
  route: string,
  input: GitHubRequestInput,
  queryNames: string[],
  urlQuery: URLSearchParams,
): Location {
  const operation = findOperation(method, route);
  if (operation === undefined) return missingMethod(method, route);
  const params = input.params ?? {};
  const names = [...route.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
  const pathParams: Record<string, unknown> = {};
  const query = new Map<string, unknown>(urlQuery.entries());
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || URL_META.has(key)) continue;
    if (names.includes(key)) pathParams[key] = value;
    else if (queryNames.includes(key)) query.set(key, value);
    else rest[key] = value;
  }
  const violations: RequestViolation[] = [];
  let body: unknown = input.body;
  if (method === 'GET' || method === 'HEAD') {
    for (const [key, value] of Object.entries(rest)) query.set(key, value);
  } else if (body === undefined && 'data' in rest) {
    body = rest.data;
    const dropped = Object.keys(rest).filter((key) => key !== 'data');
    if (dropped.length > 0) {
      violations.push({
        rule: 'request-body',
        path: 'body',
        message: `${dropped.join(', ')} would be dropped: Octokit sends only \`data\` as the body`,
      });
    }
  } else if (body === undefined && Object.keys(rest).length > 0) {
    body = rest;
  }
  return { ok: true, located: { operation, pathParams, query, body, violations } };
}

function fromConcretePath(method: string, url: string, input: GitHubRequestInput): Location {
  const bare = url.replace(/^https?:\/\/[^/]+/, '');
  const question = bare.indexOf('?');
  const path = question >= 0 ? bare.slice(0, question) : bare;
  const matched = matchPath(method, path);
  if (matched === undefined) return unknownRoute(method, path, "no such route in GitHub's REST description");
  if (matched.operation === undefined) return missingMethod(method, matched.route);
  const query = new Map<string, unknown>(new URLSearchParams(question >= 0 ? bare.slice(question + 1) : '').entries());
  return {
    ok: true,
    located: { operation: matched.operation, pathParams: matched.pathParams, query, body: input.body, violations: [] },
  };
}

function locate(input: GitHubRequestInput): Location {
  const method = input.method.toUpperCase();
  const normalized = normalizeRoute(input.url);
  if (isKnownRoute(normalized.route))
    return fromTemplate(method, normalized.route, input, normalized.queryNames, normalized.query);
  if (normalized.route.includes('{')) {
    const guess = matchPath(method, normalized.route);
    const hint = guess === undefined ? '' : ` (a concrete path like it would match ${guess.route})`;
    return unknownRoute(method, normalized.route, `no such route template in GitHub's REST description${hint}`);
  }
  return fromConcretePath(method, input.url, input);
}

/** Parameters travel as text: `"12"` is a fine integer, `12` a fine string. */
function coerce(value: unknown, parameter: OpenApiParameter): unknown {
  const type = parameter.schema === undefined ? undefined : stringAt(parameter.schema, 'type');
  if (typeof value === 'string') {
    if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
    if (type === 'array') return value.split(',');
    return value;
  }
  if ((typeof value === 'number' || typeof value === 'boolean') && type === 'string') return String(value);
  return value;
}

function fromSchemaIssues(
  issues: SchemaIssue[],
  rule: 'path-parameter' | 'query-parameter' | 'request-body',
): RequestViolation[] {
  return issues.map((issue) => ({
    rule: issue.keyword === 'unknown-property' ? 'unknown-property' : rule,
    path: issue.path,
    message: issue.message,
  }));
}

function checkPathParams(located: Located): RequestViolation[] {
  const violations: RequestViolation[] = [];
  for (const parameter of located.operation.parameters.filter((p) => p.in === 'path')) {
    const value = located.pathParams[parameter.name];
    if (value === undefined || value === null || value === '') {
      violations.push({
        rule: 'path-parameter',
        path: `path.${parameter.name}`,
        message: 'is missing (the URL would have an empty segment)',
      });
      continue;
    }
    if (parameter.schema === undefined) continue;
    violations.push(
      ...fromSchemaIssues(
        validateSchema(parameter.schema, coerce(value, parameter), `path.${parameter.name}`),
        'path-parameter',
      ),
    );
  }
  return violations;
}

function checkQuery(located: Located, options: Required<ValidationOptions>): RequestViolation[] {
  const declared = located.operation.parameters.filter((p) => p.in === 'query');
  const violations: RequestViolation[] = [];
  for (const [name, value] of located.query) {
    const parameter = declared.find((p) => p.name === name);
    if (parameter === undefined) {
      if (options.unknownProperties === 'error') {
        const known = declared.map((p) => p.name).join(', ') || 'none';
        violations.push({
          rule: 'query-parameter',
          path: `query.${name}`,
          message: `is not a query parameter of ${located.operation.operationId} (known: ${known})`,
        });
      }
      continue;
    }
    if (parameter.schema !== undefined) {
      violations.push(
        ...fromSchemaIssues(
          validateSchema(parameter.schema, coerce(value, parameter), `query.${name}`),
          'query-parameter',
        ),
      );
    }
  }
  for (const parameter of declared) {
    if (parameter.required && !located.query.has(parameter.name)) {
      violations.push({ rule: 'query-parameter', path: `query.${parameter.name}`, message: 'is required' });
    }
  }
  return violations;
}

function parseJsonText(body: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof body !== 'string') return { ok: true, value: body };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

function checkBody(located: Located, options: Required<ValidationOptions>): RequestViolation[] {
  const { operation } = located;
  const requestBody = operation.requestBody;
  const empty = located.body === undefined || located.body === '';
  if (empty) {
    return requestBody?.required === true
      ? [{ rule: 'request-body', path: 'body', message: `is required by ${operation.operationId}` }]
      : [];
  }
  if (requestBody === undefined) {
    const keys = isJsonObject(located.body) ? ` (${Object.keys(located.body).join(', ')})` : '';
    return [
      {
        rule: 'request-body',
        path: 'body',
        message: `${operation.operationId} takes no request body, but one was sent${keys}`,
      },
    ];
  }
  const json = objectAt(objectAt(requestBody, 'content') ?? {}, 'application/json');
  if (json === undefined) return [];
  const parsed = parseJsonText(located.body);
  if (!parsed.ok) return [{ rule: 'request-body', path: 'body', message: 'is not valid JSON' }];
  const issues = validateSchema(json.schema, parsed.value, 'body', { unknownProperties: options.unknownProperties });
  return [...fromSchemaIssues(issues, 'request-body'), ...extraRuleViolations(operation.operationId, parsed.value)];
}

/**
 * Validates one request against GitHub's REST description.
 *
 * @returns `ok` with the operation, or the violations: `unknown-route` when neither the route nor the method is
 *   described, otherwise the parameter, body and extra-rule problems found (all of them, not just the first).
 */
export function validateGitHubRequest(
  input: GitHubRequestInput,
  options: ValidationOptions = {},
): GitHubRequestValidation {
  const settings: Required<ValidationOptions> = { unknownProperties: options.unknownProperties ?? 'error' };
  const location = locate(input);
  if (!location.ok) return { ok: false, reason: 'unknown-route', violations: location.violations };
  const { located } = location;
  const operation: OperationRef = {
    method: located.operation.method,
    route: located.operation.route,
    operationId: located.operation.operationId,
  };
  const violations = [
    ...located.violations,
    ...checkPathParams(located),
    ...checkQuery(located, settings),
    ...checkBody(located, settings),
  ];
  return violations.length === 0
    ? { ok: true, operation }
    : { ok: false, reason: 'invalid-request', operation, violations };
}

/** One line per violation, for error messages: `body.conclusion: is required when status is "completed"`. */
export function formatViolations(violations: readonly RequestViolation[]): string {
  return violations.map((violation) => `${violation.path}: ${violation.message} [${violation.rule}]`).join('\n');
}
