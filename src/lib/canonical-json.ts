/** A JSON form that is the same for equal data: keys sorted, dates as ISO strings, no undefined. */

/**
 * Serialises plain data (objects, arrays, strings, finite numbers, booleans, null, Dates) with keys sorted at every
 * level, so that equal values give equal text whatever the key order they were built in.
 *
 * @throws TypeError for values JSON cannot represent faithfully (functions, non-finite numbers, bigint, …).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot serialise ${value}`);
      return JSON.stringify(value);
    case 'object': {
      const entries = Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`cannot serialise a ${typeof value}`);
  }
}
