/** Finds where a field of a parsed YAML document was written, for messages with a line and column. */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A 1-based position in the source. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Maps a path of keys and indices (as zod reports it) to the place in the source that best matches it. */
export type SourceLocator = (path: readonly PropertyKey[]) => SourcePosition;

function keyMatches(key: unknown, segment: PropertyKey): boolean {
  const value = isScalar(key) ? key.value : key;
  return String(value) === String(segment);
}

/**
 * Creates a locator for a document parsed with `parseDocument(text, { lineCounter })`.
 *
 * A field that exists is located at its key (`batch_size:`), where a reader looks first; a list item at the item.
 * A path that does not exist (a missing required field) is located at its nearest existing parent.
 */
export function createSourceLocator(doc: Document.Parsed, lineCounter: LineCounter): SourceLocator {
  const positionOf = (node: Node | null | undefined, fallback: SourcePosition): SourcePosition => {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  return (path) => {
    let node: unknown = doc.contents;
    let position = positionOf(doc.contents, { line: 1, column: 1 });
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => keyMatches(item.key, segment));
        if (pair === undefined) return position;
        const key = isScalar(pair.key) ? pair.key : undefined;
        position = positionOf(key, position);
        node = pair.value;
        continue;
      }
      if (isSeq(node) && typeof segment !== 'symbol' && /^\d+$/.test(String(segment))) {
        const item: unknown = node.items[Number(segment)];
        if (!isMap(item) && !isSeq(item) && !isScalar(item)) return position;
        position = positionOf(item, position);
        node = item;
        continue;
      }
      return position;
    }
    return position;
  };
}
