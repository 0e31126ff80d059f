/** Entry point for the repo config given as YAML text. */
import { parseYamlWith } from '../plan/index.ts';
import type { ParseResult } from '../plan/types.ts';
import { repoConfigSchema } from './config-schema.ts';
import type { RepoConfig } from './types.ts';

/**
 * Parses and validates `.github/yardmaster.yml` (see src/config/README.md).
 *
 * @returns the config with defaults applied and camelCase fields, or every problem found with line and column.
 */
export function parseRepoConfig(yamlText: string): ParseResult<RepoConfig> {
  return parseYamlWith(yamlText, repoConfigSchema);
}
