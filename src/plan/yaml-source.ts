/** Parses YAML text into plain data plus a locator, turning syntax errors into located issues. */
import { LineCounter, parseDocument } from 'yaml';
import { createSourceLocator, type SourceLocator } from './source-locator.ts';
import type { SourceIssue } from './types.ts';
import { formatPath } from './zod-issues.ts';

/** Parsed YAML: the plain data and a way back to the source for messages. */
export interface YamlSource {
  data: unknown;
  locate: SourceLocator;
}

export type YamlSourceResult = { ok: true; source: YamlSource } | { ok: false; issues: SourceIssue[] };

// yaml's own wording for the errors people actually make, in the voice of the other messages.
const SYNTAX_MESSAGES: Partial<Record<string, string>> = {
  DUPLICATE_KEY: 'this key appears twice in the same map',
  MULTIPLE_DOCS: 'expected a single YAML document (remove the extra ---)',
  TAB_AS_INDENT: 'tabs cannot indent YAML; use spaces',
  BAD_INDENT: 'inconsistent indentation',
};

/** Aliases can expand exponentially ("billion laughs"); a plan or config never needs many. */
const MAX_ALIAS_COUNT = 100;

/** Paths of every `__proto__` key: zod skips such keys silently, so they would slip past strict objects. */
function protoKeyPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item: unknown, index) => protoKeyPaths(item, [...path, index]));
  if (typeof value !== 'object' || value === null || value instanceof Date) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === '__proto__' ? [[...path, key]] : protoKeyPaths(item, [...path, key]),
  );
}

/**
 * Parses one YAML document. Syntax errors come back as issues with the line and column yaml reports.
 */
export function parseYamlSource(text: string): YamlSourceResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error): SourceIssue => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const message = SYNTAX_MESSAGES[error.code] ?? `YAML syntax error: ${error.message.split('\n')[0] ?? error.code}`;
      return { line, column: col, path: '', message };
    });
    return { ok: false, issues };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // toJS throws only for excessive aliases; report it like any other problem rather than as a crash.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, issues: [{ line: 1, column: 1, path: '', message: `YAML error: ${message}` }] };
  }
  const locate = createSourceLocator(doc, lineCounter);
  const protoKeys = protoKeyPaths(data);
  if (protoKeys.length > 0) {
    const issues = protoKeys.map(
      (path): SourceIssue => ({
        ...locate(path),
        path: formatPath(path),
        message: '__proto__ cannot be used as a key',
      }),
    );
    return { ok: false, issues };
  }
  return { ok: true, source: { data, locate } };
}
