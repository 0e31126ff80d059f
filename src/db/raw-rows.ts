/** The rows of a raw `execute()` result, whichever driver ran it. */

/**
 * postgres.js returns the rows themselves (an array), PGlite a `{ rows }` object; drizzle passes either through
 * untyped when the database type is driver-neutral. Parse what this returns before using it.
 */
export function rawRows(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  if (typeof result === 'object' && result !== null && 'rows' in result && Array.isArray(result.rows))
    return result.rows;
  throw new TypeError('unexpected query result shape');
}
