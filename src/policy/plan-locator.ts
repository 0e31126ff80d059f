/** Where a plan's fields sit in the comment that holds it, for policy issues with the comment's line numbers. */
import { type SourcePosition, parseYamlSource } from '../plan/index.ts';

/** Finds a plan field (`['package', 'url']`) in the comment; unknown = line 0. */
export type PlanFieldLocator = (path: readonly (string | number)[]) => SourcePosition;

/** Where the plan's YAML sits in its comment (the shape of src/plan's PlanBlock). */
export interface PlanPlacement {
  yaml: string;
  /** 1-based comment line of the first YAML line. */
  startLine: number;
  /** Spaces stripped from each YAML line; added to columns. */
  indent: number;
}

/** A locator for issues with no position (a plan read back from the database at run time). */
export const unlocated: PlanFieldLocator = () => ({ line: 0, column: 0 });

/** A locator in comment coordinates for the plan block `placement`. */
export function planFieldLocator(placement: PlanPlacement): PlanFieldLocator {
  const parsed = parseYamlSource(placement.yaml);
  if (!parsed.ok) return unlocated;
  const { locate } = parsed.source;
  return (path) => {
    const { line, column } = locate(path);
    return { line: line + placement.startLine - 1, column: column + placement.indent };
  };
}
