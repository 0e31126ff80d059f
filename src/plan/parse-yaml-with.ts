/** YAML text → validated value, with every problem located in the source. */
import type { z } from 'zod';
import { issueMessage } from './issue-messages.ts';
import type { ParseResult } from './types.ts';
import { parseYamlSource } from './yaml-source.ts';
import { toSourceIssues } from './zod-issues.ts';

/**
 * Parses YAML text and validates it with `schema`. Syntax errors and validation errors come back the same way:
 * as issues with a line, a column, the dotted field path and a plain message. Never throws for bad input.
 */
export function parseYamlWith<T>(text: string, schema: z.ZodType<T>): ParseResult<T> {
  const parsed = parseYamlSource(text);
  if (!parsed.ok) return parsed;
  const result = schema.safeParse(parsed.source.data, { reportInput: true, error: issueMessage });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: toSourceIssues(result.error.issues, parsed.source.locate) };
}
