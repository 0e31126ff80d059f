/** Parsing the rows of a raw statistics query. */
import { z } from 'zod';
import { rawRows } from '../../db/index.ts';

/**
 * The rows of `result` checked against `row`. The queries cast what they select (`::int`, `::float8`, text days),
 * so both drivers hand back plain numbers and strings; the check makes a drift in a query an error, not a NaN.
 */
export function parseRows<Row extends z.ZodType>(row: Row, result: unknown): z.infer<Row>[] {
  return z.array(row).parse(rawRows(result));
}

/** A duration or rate column: null when there was nothing to aggregate. */
export const nullableNumber = z.number().nullable();
