/**
 * src/plan/: the deployment plan: schema, extraction from a comment, errors with line and column, digest.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind. Plans inside
 * Markdown comments come from markdown.ts instead, which loads the Markdown parser (not needed for a `.yml` plan).
 */
export { pullProblem } from './artifact-url.ts';
export { closestMatch } from './closest-match.ts';
export {
  COMMAND_FIELDS,
  commandFieldsSchema,
  commandSettingsSchema,
  commandsSchema,
  stagesSetBy,
} from './commands-schema.ts';
export { describeStrategy } from './describe-strategy.ts';
export { planDigest } from './digest.ts';
export { formatDuration } from './duration.ts';
export {
  durationSchema,
  integerSchema,
  nameListSchema,
  nameSchema,
  patternSchema,
  textSchema,
  transferSchema,
  versionSchema,
} from './field-schemas.ts';
export { formatIssue, formatIssues } from './format-issues.ts';
export { parsePlan } from './parse-plan.ts';
export { planBatches } from './plan-batches.ts';
export { parseYamlWith } from './parse-yaml-with.ts';
export { revealInvisible } from './reveal-invisible.ts';
export { type SourcePosition } from './source-locator.ts';
export { strictObject } from './strict-object.ts';
export { parseYamlSource } from './yaml-source.ts';
export { formatPath } from './zod-issues.ts';
