/** GitHub's documented example responses, as plausible answers for the fake API. */
import type { OpenApiOperation } from './github-openapi-routes.ts';
import { dereference, isJsonObject, objectAt } from './github-openapi-spec.ts';

/** A success status and example body of an operation. */
export interface ExampleResponse {
  status: number;
  /** The first documented example; `undefined` for bodiless answers (204). */
  body: unknown;
}

/** The operation's lowest 2xx response and its first `application/json` example. */
export function exampleResponse(operation: OpenApiOperation): ExampleResponse {
  const responses = objectAt(operation.definition, 'responses') ?? {};
  const status = Object.keys(responses)
    .filter((code) => /^2\d\d$/.test(code))
    .map(Number)
    .sort((a, b) => a - b)[0];
  if (status === undefined) return { status: 200, body: undefined };
  const response = dereference(responses[String(status)]);
  const json = response === undefined ? undefined : objectAt(objectAt(response, 'content') ?? {}, 'application/json');
  if (json === undefined) return { status, body: undefined };
  if (json.example !== undefined) return { status, body: structuredClone(json.example) };
  const examples = objectAt(json, 'examples');
  const first = examples === undefined ? undefined : dereference(Object.values(examples)[0]);
  const value = first === undefined ? undefined : first.value;
  return { status, body: isJsonObject(value) || Array.isArray(value) ? structuredClone(value) : value };
}
