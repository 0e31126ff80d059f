/** Entry point for plans given as YAML text. */
import { parseYamlWith } from './parse-yaml-with.ts';
import { planSchema } from './plan-schema.ts';
import type { ParseResult, Plan } from './types.ts';

/** Largest plan read, in UTF-8 bytes (a GitHub comment holds at most 65,536 characters; a plan is far smaller). */
export const MAX_PLAN_BYTES = 64 * 1024;

/**
 * Parses and validates a deployment plan written in YAML (see src/plan/README.md).
 *
 * @returns the normalised plan (defaults applied, camelCase fields), or every problem found, each with a line and
 *   column relative to `yamlText`.
 */
export function parsePlan(yamlText: string): ParseResult<Plan> {
  const size = Buffer.byteLength(yamlText, 'utf8');
  if (size > MAX_PLAN_BYTES) {
    return {
      ok: false,
      issues: [
        { line: 0, column: 0, path: '', message: `the plan is ${size} bytes long; at most ${MAX_PLAN_BYTES} are read` },
      ],
    };
  }
  return parseYamlWith(yamlText, planSchema);
}
