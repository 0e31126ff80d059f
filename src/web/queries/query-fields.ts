/** Reading a page's query string field by field: valid values are applied, invalid ones become a message. */
import { z } from 'zod';

/** How a problem with field `key` is written (default: `key: message`). */
export type DescribeProblem = (key: string, message: string) => string;

/** A reader of `query` that collects problems; an empty or blank field is not read. */
export function queryReader(
  query: URLSearchParams,
  describe: DescribeProblem = (key, message) => `${key}: ${message}`,
): { take<T>(key: string, schema: z.ZodType<T>, apply: (value: T) => void): void; problems: string[] } {
  const problems: string[] = [];
  return {
    problems,
    take(key, schema, apply) {
      const value = query.get(key);
      if (value === null || value.trim() === '') return;
      const parsed = schema.safeParse(value);
      if (parsed.success) apply(parsed.data);
      else problems.push(describe(key, parsed.error.issues[0]?.message ?? 'invalid'));
    },
  };
}

/** A name-like filter value. */
export const nameField = z.string().trim().min(1).max(200);

/** A page number. */
export const pageField = z.coerce.number().int().min(1).max(100_000);

/** `2026-12-06` or `2026-12-06T14:30[:00]`, read as UTC. */
export const instantField = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/, 'must be a date like 2026-12-06 or 2026-12-06T14:30')
  .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00Z` : `${value}Z`))
  .refine((date) => !Number.isNaN(date.getTime()), 'is not a date');

/** The end of a range: a bare day means the whole day. */
export function endOfRange(value: Date): Date {
  return value.getUTCHours() === 0 && value.getUTCMinutes() === 0 && value.getUTCSeconds() === 0
    ? new Date(value.getTime() + 86_400_000 - 1)
    : value;
}
