/** Converts zod issues into located `SourceIssue`s. */
import type { z } from 'zod';
import { closestMatch } from './closest-match.ts';
import type { SourceLocator } from './source-locator.ts';
import { isUnknownFieldParams } from './strict-object.ts';
import type { SourceIssue } from './types.ts';

/** `strategy.batch_size`, `hosts[1]`, `apps.shop.environments.prod.hosts[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

interface FlatIssue {
  path: PropertyKey[];
  message: string;
}

function unknownFieldMessage(field: PropertyKey | undefined, knownFields: readonly string[]): string {
  const suggestion = field === undefined ? undefined : closestMatch(String(field), knownFields);
  return suggestion === undefined ? 'unknown field' : `unknown field; did you mean ${suggestion}?`;
}

/** One zod issue as one or more flat issues with final wording. */
function flatten(issue: z.core.$ZodIssue): FlatIssue[] {
  const path = [...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown field' }));
    case 'invalid_key':
      // The key itself is wrong (e.g. an app name); its own schema words the problem.
      return [{ path, message: issue.issues[0]?.message ?? issue.message }];
    case 'custom':
      if (isUnknownFieldParams(issue.params)) {
        return [{ path, message: unknownFieldMessage(path.at(-1), issue.params.knownFields) }];
      }
      return [{ path, message: issue.message }];
    case 'invalid_type':
    case 'invalid_union': {
      // An empty YAML document reads as null (or undefined); an absent key as undefined; `key:` with no value as null.
      const empty = issue.input === undefined || issue.input === null;
      if (empty && path.length === 0) return [{ path, message: `the document is empty; ${issue.message}` }];
      if (issue.input === undefined) return [{ path, message: 'missing required field' }];
      // The fallback wording already says "got an empty value"; schema-specific wording does not.
      if (issue.input === null && !issue.message.includes(', got ')) {
        return [{ path, message: `${issue.message} (the value is empty)` }];
      }
      return [{ path, message: issue.message }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

/**
 * Locates and words zod issues. Parse with `{ reportInput: true, error: issueMessage }` so that missing fields can
 * be told apart from wrong ones and every message is plain language. The result is sorted by position.
 */
export function toSourceIssues(issues: readonly z.core.$ZodIssue[], locate: SourceLocator): SourceIssue[] {
  const located = issues.flatMap(flatten).map(({ path, message }): SourceIssue => {
    const { line, column } = locate(path);
    return { line, column, path: formatPath(path), message };
  });
  const seen = new Set<string>();
  return located
    .filter((issue) => {
      const key = `${issue.line}:${issue.column}:${issue.path}:${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
