/** Parses YAML text into plain data plus a locator, turning syntax errors into located issues. */
import { type Document, isMap, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
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

/** Where a flow collection (`{…}` or `[…]`) opens and where its value ends. */
interface FlowCollection {
  kind: 'map' | 'sequence';
  start: number;
  end: number;
}

function flowCollections(doc: Document): FlowCollection[] {
  const found: FlowCollection[] = [];
  visit(doc, {
    Collection: (_key, node) => {
      if (node.flow === true && node.range) {
        found.push({ kind: isMap(node) ? 'map' : 'sequence', start: node.range[0], end: node.range[1] });
      }
    },
  });
  return found;
}

/**
 * One issue per mistake, where the mistake is. yaml reports an unclosed `{` or `[` where the next block line
 * begins (often the end of the file), and a key indented under a key that already has a value as two errors on
 * the line above; these point at the opening bracket and at the over-indented key instead.
 */
function syntaxIssues(doc: Document, text: string, lineCounter: LineCounter): SourceIssue[] {
  const lines = text.split('\n');
  const flows = flowCollections(doc);
  const overIndented = new Set<number>();
  const issues: SourceIssue[] = [];
  const add = (issue: SourceIssue): void => {
    if (!issues.some((known) => known.line === issue.line && known.message === issue.message)) issues.push(issue);
  };
  for (const error of doc.errors) {
    const at = lineCounter.linePos(error.pos[0]);
    const unclosed = unclosedFlow(error, flows);
    if (unclosed) {
      const opened = lineCounter.linePos(unclosed.start);
      const [open, close] = unclosed.kind === 'map' ? ['{', '}'] : ['[', ']'];
      add({
        line: opened.line,
        column: opened.col,
        path: '',
        message: `this ${open} is never closed: end the flow ${unclosed.kind} with ${close}`,
      });
      continue;
    }
    if (error.code === 'MULTILINE_IMPLICIT_KEY' || error.code === 'BLOCK_AS_IMPLICIT_KEY') {
      // A key one line down whose line yaml joined to the value above: report that key's line, once.
      const keyLine = implicitKeyLine(error, doc.errors, lineCounter);
      if (keyLine !== null) {
        if (!overIndented.has(at.line)) {
          const column = (lines[keyLine - 1] ?? '').search(/\S/) + 1;
          add({
            line: keyLine,
            column: Math.max(column, 1),
            path: '',
            message:
              'this key is indented more than the key above it, which already has a value: line it up with the keys beside it',
          });
        }
        overIndented.add(keyLine);
        continue;
      }
    }
    const message = SYNTAX_MESSAGES[error.code] ?? `YAML syntax error: ${error.message.split('\n')[0] ?? error.code}`;
    add({ line: at.line, column: at.col, path: '', message });
  }
  return issues;
}

/** The flow collection an "unclosed flow collection" error is about: the one whose value ends where it is. */
function unclosedFlow(error: YAMLError, flows: readonly FlowCollection[]): FlowCollection | undefined {
  if (error.code !== 'BAD_INDENT') return undefined;
  const kind = error.message.startsWith('Flow map')
    ? 'map'
    : error.message.startsWith('Flow sequence')
      ? 'sequence'
      : null;
  if (kind === null) return undefined;
  return flows.find((flow) => flow.kind === kind && flow.end === error.pos[0]);
}

/**
 * The line of the key that yaml read as the end of a multi-line implicit key; null when the error stays on one
 * line (such as `a: b: c`). A BLOCK_AS_IMPLICIT_KEY error is paired with the MULTILINE_IMPLICIT_KEY at its start.
 */
function implicitKeyLine(error: YAMLError, all: readonly YAMLError[], lineCounter: LineCounter): number | null {
  const multiline =
    error.code === 'MULTILINE_IMPLICIT_KEY'
      ? error
      : all.find((other) => other.code === 'MULTILINE_IMPLICIT_KEY' && other.pos[0] === error.pos[0]);
  if (!multiline) return null;
  const start = lineCounter.linePos(multiline.pos[0]).line;
  const end = lineCounter.linePos(multiline.pos[1]).line;
  return end > start ? end : null;
}

/**
 * Parses one YAML document. Syntax errors come back as issues with a line and column: where the mistake is.
 */
export function parseYamlSource(text: string): YamlSourceResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return { ok: false, issues: syntaxIssues(doc, text, lineCounter) };
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
