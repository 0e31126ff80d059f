/** Objects that reject unknown keys one by one, each located at its own key and with a suggestion. */
import { z } from 'zod';

/** Marks the issue raised for an unknown key; the issue converter reads it to suggest a known key. */
export const UNKNOWN_FIELD = 'unknown-field';

/** The params of an unknown-field issue. */
export interface UnknownFieldParams {
  kind: typeof UNKNOWN_FIELD;
  knownFields: string[];
}

/** Type guard for the params of an unknown-field issue. */
export function isUnknownFieldParams(params: unknown): params is UnknownFieldParams {
  return typeof params === 'object' && params !== null && 'kind' in params && params.kind === UNKNOWN_FIELD;
}

/**
 * Like `z.strictObject(shape)`, but every unknown key is its own issue whose path ends in that key, so it can be
 * located in the YAML source, and which carries the known keys for a "did you mean …?" hint. (zod's own strict mode
 * reports all unknown keys as one issue on the parent object.)
 */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape, expected = 'expected a map of fields') {
  const params: UnknownFieldParams = { kind: UNKNOWN_FIELD, knownFields: Object.keys(shape) };
  const unknownField = z.unknown().check((ctx) => {
    ctx.issues.push({ code: 'custom', message: 'unknown field', input: ctx.value, params });
  });
  return z.object(shape, { error: expected }).catchall(unknownField);
}
