/**
 * GitHub's REST description (`@octokit/openapi`, api.github.com, OpenAPI 3.0.3), loaded once per process.
 *
 * Only `generated/api.github.com.json` is read: the package index would load ten descriptions (~900 MB).
 * `readFileSync` + `JSON.parse` rather than `import … with { type: 'json' }`: the same ~90 ms under plain Node,
 * but under vitest the JSON import goes through Vite's JSON transform (~500 ms warm, ~1.6 s cold).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A JSON object as parsed, read through type guards only. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** True for a non-null, non-array object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of `object[key]` if it is an object. */
export function objectAt(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  return isJsonObject(value) ? value : undefined;
}

/** The value of `object[key]` if it is a string. */
export function stringAt(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

const SPEC_MODULE = '@octokit/openapi/generated/api.github.com.json';

let cached: JsonObject | undefined;

/** The parsed description; the first call reads 13 MB (~90 ms), later calls return the same object. */
export function loadGitHubOpenApi(): JsonObject {
  if (cached !== undefined) return cached;
  const file = createRequire(import.meta.url).resolve(SPEC_MODULE);
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isJsonObject(parsed) || !isJsonObject(parsed.paths) || !isJsonObject(parsed.components)) {
    throw new Error(`${SPEC_MODULE} is not an OpenAPI description with paths and components`);
  }
  cached = parsed;
  return parsed;
}

function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Resolves a local reference such as `#/components/schemas/issue-comment`; `undefined` when it points nowhere. */
export function resolveRef(ref: string, root: JsonObject = loadGitHubOpenApi()): JsonObject | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    if (!isJsonObject(node)) return undefined;
    node = node[unescapePointer(segment)];
  }
  return isJsonObject(node) ? node : undefined;
}

/** Follows `$ref` chains (bounded, in case of a reference loop) to the object they name. */
export function dereference(node: unknown, root: JsonObject = loadGitHubOpenApi()): JsonObject | undefined {
  let current = node;
  for (let hops = 0; hops < 32; hops++) {
    if (!isJsonObject(current)) return undefined;
    const ref = stringAt(current, '$ref');
    if (ref === undefined) return current;
    current = resolveRef(ref, root);
  }
  return undefined;
}
