/** Plain-language messages for zod issues that a schema did not word itself. */
import type { z } from 'zod';

const TYPE_NAMES: Partial<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  record: 'a map',
  date: 'a date-time',
};

/** Describes a YAML value's kind for "got …" phrases. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true/false';
    case 'object':
      return 'a map';
    default:
      return typeof value;
  }
}

function sizeMessage(direction: 'least' | 'most', origin: string, bound: number | bigint, inclusive: boolean): string {
  if (origin === 'array' || origin === 'set') {
    return direction === 'least' && bound === 1
      ? 'expected at least one item'
      : `expected at ${direction} ${bound} items`;
  }
  if (origin === 'string') {
    return direction === 'least' && bound === 1 ? 'must not be empty' : `expected at ${direction} ${bound} characters`;
  }
  if (inclusive) return `expected at ${direction} ${bound}`;
  return direction === 'least' ? `expected more than ${bound}` : `expected less than ${bound}`;
}

/**
 * A zod error map for parse calls: wording for every issue kind, used only where the schema gave none.
 * It replaces zod's developer-facing defaults ("Invalid input: expected string, received number").
 */
export const issueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return `expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case 'too_small':
      return sizeMessage('least', issue.origin, issue.minimum, issue.inclusive !== false);
    case 'too_big':
      return sizeMessage('most', issue.origin, issue.maximum, issue.inclusive !== false);
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${String(issue.values[0])}`
        : `expected one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'has an invalid format' : `expected a valid ${issue.format}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return 'unknown field';
    case 'invalid_union':
      return 'does not match any accepted form';
    case 'invalid_key':
      return 'invalid key';
    case 'invalid_element':
      return 'invalid element';
    case 'custom':
      return 'is invalid';
    default:
      return undefined;
  }
};
