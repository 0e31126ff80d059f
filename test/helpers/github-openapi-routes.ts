/** The operations of GitHub's REST description, found by route template or by a concrete request path. */
import {
  dereference,
  isJsonObject,
  loadGitHubOpenApi,
  objectAt,
  stringAt,
  type JsonObject,
} from './github-openapi-spec.ts';

/** A path or query parameter of an operation, references resolved. */
export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonObject | undefined;
  /** `x-multi-segment`: the value may contain `/` (a file path, a branch name). */
  multiSegment: boolean;
}

/** One operation: a method on a route template. */
export interface OpenApiOperation {
  /** Upper case: `POST`. */
  method: string;
  /** The description's template: `/repos/{owner}/{repo}/issues/{issue_number}/comments`. */
  route: string;
  /** `issues/create-comment`. */
  operationId: string;
  parameters: OpenApiParameter[];
  /** `requestBody` with its reference resolved, if the operation takes a body. */
  requestBody: JsonObject | undefined;
  definition: JsonObject;
}

interface CompiledRoute {
  route: string;
  pattern: RegExp;
  names: string[];
  /** One flag per `/` segment, true when it is literal: literal segments win over parameters. */
  specificity: boolean[];
  operations: Map<string, OpenApiOperation>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

function readParameter(node: unknown): OpenApiParameter | undefined {
  const parameter = dereference(node);
  if (parameter === undefined) return undefined;
  const name = stringAt(parameter, 'name');
  const place = stringAt(parameter, 'in');
  if (name === undefined || (place !== 'path' && place !== 'query')) return undefined;
  const schema = dereference(parameter.schema);
  return {
    name,
    in: place,
    required: parameter.required === true || place === 'path',
    schema,
    multiSegment: parameter['x-multi-segment'] === true || schema?.['x-multi-segment'] === true,
  };
}

function readOperation(route: string, method: string, definition: JsonObject): OpenApiOperation {
  const parameters = Array.isArray(definition.parameters) ? definition.parameters : [];
  return {
    method: method.toUpperCase(),
    route,
    operationId: stringAt(definition, 'operationId') ?? `${method} ${route}`,
    parameters: parameters.map(readParameter).filter((parameter) => parameter !== undefined),
    requestBody: dereference(definition.requestBody),
    definition,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(route: string, operations: Map<string, OpenApiOperation>): CompiledRoute {
  const multi = new Set<string>();
  for (const operation of operations.values()) {
    for (const parameter of operation.parameters) if (parameter.multiSegment) multi.add(parameter.name);
  }
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const match of route.matchAll(/\{([^}]+)\}/g)) {
    const name = match[1] ?? '';
    names.push(name);
    source += escapeRegExp(route.slice(last, match.index)) + (multi.has(name) ? '(.+?)' : '([^/]+?)');
    last = match.index + match[0].length;
  }
  source += escapeRegExp(route.slice(last));
  const specificity = route.split('/').map((segment) => !segment.includes('{'));
  return { route, pattern: new RegExp(`^${source}$`), names, specificity, operations };
}

interface RouteIndex {
  byRoute: Map<string, CompiledRoute>;
  compiled: CompiledRoute[];
}

let index: RouteIndex | undefined;

function routeIndex(): RouteIndex {
  if (index !== undefined) return index;
  const paths = objectAt(loadGitHubOpenApi(), 'paths') ?? {};
  const byRoute = new Map<string, CompiledRoute>();
  for (const [route, item] of Object.entries(paths)) {
    if (!isJsonObject(item)) continue;
    const operations = new Map<string, OpenApiOperation>();
    for (const method of HTTP_METHODS) {
      const definition = objectAt(item, method);
      if (definition !== undefined) operations.set(method.toUpperCase(), readOperation(route, method, definition));
    }
    byRoute.set(route, compile(route, operations));
  }
  index = { byRoute, compiled: [...byRoute.values()] };
  return index;
}

/** A route template as Octokit may write it (`:owner`, `{?name,label}`, a query string) in the description's form. */
export interface NormalizedRoute {
  route: string;
  /** Names from a `{?a,b}` query expression: Octokit sends these in the query string, even on a POST. */
  queryNames: string[];
  /** Parameters written into the URL's own query string. */
  query: URLSearchParams;
}

/** Normalises a route template or a concrete path (see {@link NormalizedRoute}). */
export function normalizeRoute(url: string): NormalizedRoute {
  let route = url.replace(/^https?:\/\/[^/]+/, '').replace(/:([a-z]\w+)/g, '{$1}');
  const queryNames: string[] = [];
  route = route.replace(/\{\?([^}]*)\}/g, (_whole, names: string) => {
    queryNames.push(
      ...names
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    );
    return '';
  });
  const question = route.indexOf('?');
  const query = new URLSearchParams(question >= 0 ? route.slice(question + 1) : '');
  if (question >= 0) route = route.slice(0, question);
  if (route.length > 1) route = route.replace(/\/+$/, '');
  return { route, queryNames, query };
}

/** True when the description has this route template (any method). */
export function isKnownRoute(route: string): boolean {
  return routeIndex().byRoute.has(route);
}

/** The operation for a method on a route template, exactly as the description spells the template. */
export function findOperation(method: string, route: string): OpenApiOperation | undefined {
  return routeIndex().byRoute.get(route)?.operations.get(method.toUpperCase());
}

/** The methods the description has for a route template. */
export function methodsOf(route: string): string[] {
  return [...(routeIndex().byRoute.get(route)?.operations.keys() ?? [])];
}

/** A concrete path resolved to its route template and the values of its path parameters. */
export interface MatchedPath {
  route: string;
  pathParams: Record<string, string>;
  operation: OpenApiOperation | undefined;
}

function moreSpecific(a: boolean[], b: boolean[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? false;
    const y = b[i] ?? false;
    if (x !== y) return x ? -1 : 1;
  }
  return 0;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Finds the template a concrete path (`/repos/octo/hello/issues/1/comments`) belongs to. Among templates that
 * match, one with the method wins, then the one whose literal segments come first (`/issues/comments/{id}` over
 * `/issues/{issue_number}`). `operation` is undefined when the route exists but not with this method.
 */
export function matchPath(method: string, path: string): MatchedPath | undefined {
  const upper = method.toUpperCase();
  const candidates: { compiled: CompiledRoute; values: string[] }[] = [];
  for (const compiled of routeIndex().compiled) {
    const match = compiled.pattern.exec(path);
    if (match !== null) candidates.push({ compiled, values: match.slice(1) });
  }
  candidates.sort(
    (a, b) =>
      Number(b.compiled.operations.has(upper)) - Number(a.compiled.operations.has(upper)) ||
      moreSpecific(a.compiled.specificity, b.compiled.specificity),
  );
  const best = candidates[0];
  if (best === undefined) return undefined;
  const pathParams: Record<string, string> = {};
  best.compiled.names.forEach((name, i) => {
    pathParams[name] = decode(best.values[i] ?? '');
  });
  return { route: best.compiled.route, pathParams, operation: best.compiled.operations.get(upper) };
}
