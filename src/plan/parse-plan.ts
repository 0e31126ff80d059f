/** Entry point for plans given as YAML text. */
import { parseYamlWith } from './parse-yaml-with.ts';
import { planSchema } from './plan-schema.ts';
import type { ParseResult, Plan } from './types.ts';

/**
 * Parses and validates a deployment plan written in YAML (see docs/architecture.md, "Plan").
 *
 * @returns the normalised plan (defaults applied, camelCase fields), or every problem found, each with a line and
 *   column relative to `yamlText`.
 */
export function parsePlan(yamlText: string): ParseResult<Plan> {
  return parseYamlWith(yamlText, planSchema);
}
